package dev.virtunit.internal.lab;

import dev.virtunit.Impairment;

/**
 * An {@link Impairment} whose undo is registered in its owner's {@link Teardown} before it is applied: closed by the
 * test, or at the latest when the guest or bridge it was made on is removed (also after a failure). Closing twice
 * undoes once.
 */
final class LabImpairment implements Impairment {

    private final String description;
    private final Runnable undo;
    private boolean closed;

    private LabImpairment(String description, Runnable undo) {
        this.description = description;
        this.undo = undo;
    }

    /** Registers {@code undo} in {@code owner}, then runs {@code apply}; if that fails, undoes what it may have done. */
    static LabImpairment apply(Teardown owner, String description, Runnable apply, Runnable undo) {
        LabImpairment impairment = new LabImpairment(description, undo);
        owner.register(description, impairment::close);
        try {
            apply.run();
        } catch (RuntimeException e) {
            try {
                impairment.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return impairment;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        undo.run();
        closed = true;
    }

    @Override
    public String toString() {
        return "Impairment[" + description + (closed ? ", undone" : "") + "]";
    }
}

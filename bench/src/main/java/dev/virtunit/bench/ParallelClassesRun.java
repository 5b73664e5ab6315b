package dev.virtunit.bench;

/**
 * The wall time of four JUnit classes (two guests each) run through the JUnit Platform Launcher.
 *
 * @param parallel whether the classes ran concurrently ({@code junit.jupiter.execution.parallel.enabled}) or one
 *                 after another
 * @param run      the run's number, from 1
 * @param seconds  from the launcher's start to its end
 * @since 0.3
 */
public record ParallelClassesRun(boolean parallel, int run, double seconds) {

    /** {@return how the classes ran, as the table says it} */
    public String mode() {
        return parallel ? "4 classes concurrent" : "4 classes one after another";
    }
}

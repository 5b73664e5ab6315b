package dev.virtunit.junit;

import dev.virtunit.InvalidDeclarationException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reports what is wrong with one annotated declaration all at once: the problems of the annotation itself (attributes
 * that contradict each other) followed by the problems the spec's own rules find, under the declaration's name.
 */
final class DeclarationProblems {

    private DeclarationProblems() {
    }

    /**
     * The spec {@code build} makes, when neither it nor the annotation has a problem.
     *
     * @param where    the declaration, e.g. {@code @LibvirtGuest field [com.acme.NatTest.router]}
     * @param problems what the annotation got wrong, before the spec was built
     */
    static <T> T build(String where, List<String> problems, Supplier<T> build) {
        List<String> all = new ArrayList<>(problems);
        try {
            T spec = build.get();
            if (all.isEmpty()) {
                return spec;
            }
        } catch (InvalidDeclarationException e) {
            all.addAll(e.problems());
        }
        throw new InvalidDeclarationException(where, all);
    }
}

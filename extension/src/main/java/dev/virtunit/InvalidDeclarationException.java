package dev.virtunit;

import java.util.List;

/**
 * A test declared something virtunit cannot build: a final field, a wrong type, an image that does not exist,
 * an attribute out of range. Thrown before anything is created; the message names the element, the rule and
 * the remedy.
 *
 * @since 0.1
 */
public class InvalidDeclarationException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    /** Each problem on its own, naming the rule and the remedy; one entry for an exception made from a message. */
    private final List<String> problems;

    /**
     * One problem, given as the whole message.
     *
     * @param message the problem, naming the rule and the remedy
     */
    public InvalidDeclarationException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    /**
     * Every problem of one {@code element} at once, so a user fixes them in one go:
     * {@code "<element> is invalid: <problem>; <problem>"}.
     *
     * @param element what was declared, e.g. {@code Open vSwitch bridge}
     * @param problems each broken rule with its remedy; at least one
     * @since 0.2
     */
    public InvalidDeclarationException(String element, List<String> problems) {
        super(element + " is invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * The problems one by one, without the element; lets a caller that knows better where the declaration came from
     * (an annotated field, say) report them under its own name.
     *
     * @return the problems, in the order found; never empty
     * @since 0.2
     */
    public List<String> problems() {
        return problems;
    }
}

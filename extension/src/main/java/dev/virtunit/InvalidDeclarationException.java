package dev.virtunit;

/**
 * A test declared something virtunit cannot build: a final field, a wrong type, an image that does not exist,
 * an attribute out of range. Thrown before anything is created; the message names the element, the rule and
 * the remedy.
 *
 * @since 0.1
 */
public class InvalidDeclarationException extends VirtunitException {
    private static final long serialVersionUID = 1L;

    public InvalidDeclarationException(String message) {
        super(message);
    }
}

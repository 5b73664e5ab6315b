package dev.virtunit.internal.lab;

import java.util.regex.Pattern;

/**
 * The serial console line that means a guest is ready ({@code readyWhen}): a line that contains the text literally,
 * or in which it finds a match as a regular expression. Literal first, so {@code "login:"} and {@code "Ready (v2)"}
 * both mean what they say; {@code "^router\\d+ login:"} works as a pattern.
 */
final class ConsoleLine {

    private final String text;
    private final Pattern pattern;

    /** @param text as the spec gives it; {@code SpecRules} made sure it compiles */
    ConsoleLine(String text) {
        this.text = text;
        this.pattern = Pattern.compile(text);
    }

    /** Whether some line of {@code console} (carriage returns ignored) shows it. */
    boolean foundIn(String console) {
        return console.replace("\r", "").lines().anyMatch(line -> line.contains(text) || pattern.matcher(line).find());
    }

    @Override
    public String toString() {
        return text;
    }
}

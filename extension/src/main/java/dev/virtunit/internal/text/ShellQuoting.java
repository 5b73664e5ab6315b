package dev.virtunit.internal.text;

import java.util.List;

/**
 * The one place that quotes words for a POSIX shell: for commands run inside a guest over SSH (which a remote
 * shell parses) and for commands shown to a person in a message. Programs virtunit runs on the host never go
 * through a shell; they take an argument vector.
 *
 * @since 0.2
 */
public final class ShellQuoting {

    /** Characters a shell reads literally outside quotes; a word made only of these needs no quoting. */
    private static final String PLAIN_PUNCTUATION = "-_./=:,@%+";

    private ShellQuoting() {
    }

    /** {@code word} as a shell reads it back unchanged: plain words as they are, others in single quotes. */
    public static String quote(String word) {
        boolean plain = !word.isEmpty()
                && word.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || PLAIN_PUNCTUATION.indexOf(c) >= 0));
        return plain ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** The argument vector as one command line a shell splits back into the same words. */
    public static String join(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String word : argv) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(word));
        }
        return line.toString();
    }
}

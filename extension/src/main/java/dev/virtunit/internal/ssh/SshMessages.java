package dev.virtunit.internal.ssh;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How the SSH parts word what goes into their error messages: durations as people write them, the end of long
 * command output, and the telling messages along sshj's cause chains. Each message itself stays with the code that
 * knows what was going on.
 */
final class SshMessages {

    /** How much of each output stream a timeout or connection-lost message shows, from the end. */
    static final int OUTPUT_SHOWN = 2000;

    private SshMessages() {
    }

    /** {@code 1s}, {@code 1500ms}, {@code 2m}: how people write timeouts, unlike {@code PT1.5S}. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** The last {@value #OUTPUT_SHOWN} characters of {@code text}, saying how much was left out. */
    static String tail(String text) {
        String stripped = text.strip();
        if (stripped.length() <= OUTPUT_SHOWN) {
            return stripped;
        }
        return "... (" + (stripped.length() - OUTPUT_SHOWN) + " characters before) "
                + stripped.substring(stripped.length() - OUTPUT_SHOWN);
    }

    /** {@code stdout so far: [...], stderr so far: [...]}: what a command had printed when it failed. */
    static String outputSoFar(String stdout, String stderr) {
        return "stdout so far: [" + tail(stdout) + "], stderr so far: [" + tail(stderr) + "]";
    }

    /** Every distinct message along the cause chain: sshj often wraps the telling one. */
    static String describe(Throwable error) {
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable t = error; t != null && messages.size() < 5; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof UnknownHostException) {
                message = "unknown host " + message;
            }
            messages.add(message == null || message.isBlank() ? t.getClass().getSimpleName() : message);
        }
        List<String> distinct = new ArrayList<>();
        for (String message : messages) {
            if (distinct.stream().noneMatch(earlier -> earlier.contains(message))) {
                distinct.add(message);
            }
        }
        return String.join(": ", distinct);
    }
}

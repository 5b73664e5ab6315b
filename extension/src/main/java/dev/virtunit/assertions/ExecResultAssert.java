package dev.virtunit.assertions;

import dev.virtunit.observe.ExecResult;
import org.assertj.core.api.AbstractAssert;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Assertions on an {@link ExecResult}. Every failure shows the command, its exit code and both outputs (the last
 * {@value #OUTPUT_SHOWN} characters of each), because the reason a check failed is usually in what the guest
 * printed:
 *
 * <pre>
 * Expecting the command to succeed, but it exited with 1:
 *   command:   ip link show eth1
 *   exit code: 1
 *   stdout:    (empty)
 *   stderr:    Device "eth1" does not exist.
 * </pre>
 *
 * Obtain one with {@link VirtunitAssertions#assertThat(ExecResult)}.
 *
 * @since 0.1
 */
public class ExecResultAssert extends AbstractAssert<ExecResultAssert, ExecResult> {

    /** How many characters of each output stream a failure message shows, from the end. */
    public static final int OUTPUT_SHOWN = 2000;

    /**
     * Creates an assertion on {@code actual}; {@link VirtunitAssertions#assertThat(ExecResult)} is the usual way.
     *
     * @param actual the result to check; null fails every check
     */
    public ExecResultAssert(ExecResult actual) {
        super(actual, ExecResultAssert.class);
    }

    /**
     * Verifies that the command exited with 0.
     *
     * @return this assertion, for chaining
     */
    public ExecResultAssert succeeded() {
        isNotNull();
        if (actual.exitCode() != 0) {
            fail("Expecting the command to succeed, but it exited with " + actual.exitCode());
        }
        return myself;
    }

    /**
     * Verifies that the command exited with anything but 0 (including virtunit's -1 for "killed by a signal").
     *
     * @return this assertion, for chaining
     */
    public ExecResultAssert failed() {
        isNotNull();
        if (actual.exitCode() == 0) {
            fail("Expecting the command to fail, but it exited with 0");
        }
        return myself;
    }

    /**
     * Verifies that the command exited with {@code expected}.
     *
     * @param expected the exit status; -1 for "killed by a signal"
     * @return this assertion, for chaining
     */
    public ExecResultAssert hasExitCode(int expected) {
        isNotNull();
        if (actual.exitCode() != expected) {
            fail("Expecting exit code " + expected + ", but the command exited with " + actual.exitCode());
        }
        return myself;
    }

    /**
     * Verifies that standard output contains every one of {@code values}.
     *
     * @return this assertion, for chaining
     * @param values the texts to look for, at least one; each must occur literally
     */
    public ExecResultAssert stdoutContains(String... values) {
        return containsAll("stdout", nonNullActual().stdout(), values);
    }

    /**
     * Verifies that standard error contains every one of {@code values}.
     *
     * @return this assertion, for chaining
     * @param values the texts to look for, at least one; each must occur literally
     */
    public ExecResultAssert stderrContains(String... values) {
        return containsAll("stderr", nonNullActual().stderr(), values);
    }

    /**
     * Standard output is {@code expected}, ignoring line breaks at the end of both, so that
     * {@code hasStdout("eth0")} passes for a command that printed {@code "eth0\n"}.
     *
     * @param expected the whole expected output; not null
     * @return this assertion, for chaining
     */
    public ExecResultAssert hasStdout(String expected) {
        Objects.requireNonNull(expected, "expected stdout");
        if (!withoutTrailingLineBreaks(nonNullActual().stdout()).equals(withoutTrailingLineBreaks(expected))) {
            fail("Expecting stdout to be " + quote(expected) + " (trailing line breaks ignored), but it was not");
        }
        return myself;
    }

    /**
     * The whole of standard output, without its trailing line breaks, matches {@code regex} (Java syntax; use
     * {@code (?s)} to let {@code .} span lines).
     *
     * @param regex a {@link java.util.regex.Pattern} for the whole output; not null
     * @return this assertion, for chaining
     */
    public ExecResultAssert stdoutMatches(String regex) {
        Objects.requireNonNull(regex, "regex");
        if (!Pattern.compile(regex).matcher(withoutTrailingLineBreaks(nonNullActual().stdout())).matches()) {
            fail("Expecting stdout to match the regular expression " + quote(regex) + ", but it does not");
        }
        return myself;
    }

    /**
     * Some part of standard output matches {@code regex}, with {@code ^} and {@code $} matching at line breaks:
     * {@code stdoutContainsPattern("^\\s+inet 10\\.0\\.0\\.1/24 ")}.
     *
     * @param regex a {@link java.util.regex.Pattern} to find in the output; not null
     * @return this assertion, for chaining
     */
    public ExecResultAssert stdoutContainsPattern(String regex) {
        Objects.requireNonNull(regex, "regex");
        if (!Pattern.compile(regex, Pattern.MULTILINE).matcher(nonNullActual().stdout()).find()) {
            fail("Expecting stdout to contain a match for the regular expression " + quote(regex)
                    + " (^ and $ match at line breaks), but it has none");
        }
        return myself;
    }

    /**
     * Verifies that the command wrote nothing to standard error.
     *
     * @return this assertion, for chaining
     */
    public ExecResultAssert stderrIsEmpty() {
        if (!nonNullActual().stderr().isEmpty()) {
            fail("Expecting stderr to be empty, but it was not");
        }
        return myself;
    }

    /**
     * What a failure message shows of {@code result}: command, exit code, stdout and stderr, each line indented
     * by two spaces and each stream cut to its last {@value #OUTPUT_SHOWN} characters.
     *
     * @param result the result to describe; not null
     * @return four labelled lines or blocks, without a trailing line break
     */
    public static String describe(ExecResult result) {
        return "  command:   " + result.command() + "\n"
                + "  exit code: " + result.exitCode() + "\n"
                + stream("stdout", result.stdout()) + "\n"
                + stream("stderr", result.stderr());
    }

    private ExecResult nonNullActual() {
        isNotNull();
        return actual;
    }

    private ExecResultAssert containsAll(String streamName, String text, String... values) {
        Objects.requireNonNull(values, "values");
        if (values.length == 0) {
            throw new IllegalArgumentException("give at least one value that " + streamName + " must contain");
        }
        List<String> missing = Arrays.stream(values).filter(value -> !text.contains(value)).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            fail("Expecting " + streamName + " to contain " + quoteAll(Arrays.asList(values)) + ", but it does not contain "
                    + quoteAll(missing));
        }
        return myself;
    }

    private void fail(String headline) {
        // "%s" keeps a '%' in the guest's output from being taken as a format specifier.
        failWithMessage("%s", headline + ":\n" + describe(actual));
    }

    private static String stream(String name, String text) {
        String shown = withoutTrailingLineBreaks(text == null ? "" : text);
        String label = "  " + name + ":";
        if (shown.isEmpty()) {
            return label + "    (empty)";
        }
        String omitted = "";
        if (shown.length() > OUTPUT_SHOWN) {
            omitted = "    (" + (shown.length() - OUTPUT_SHOWN) + " earlier characters not shown)\n";
            shown = shown.substring(shown.length() - OUTPUT_SHOWN);
        }
        if (omitted.isEmpty() && shown.indexOf('\n') < 0) {
            return label + "    " + shown;
        }
        return label + "\n" + omitted + shown.lines().map(line -> line.isEmpty() ? "" : "    " + line)
                .collect(Collectors.joining("\n"));
    }

    private static String withoutTrailingLineBreaks(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                .replace("\t", "\\t") + "\"";
    }

    private static String quoteAll(List<String> values) {
        return values.stream().map(ExecResultAssert::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}

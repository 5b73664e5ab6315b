package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.CommandResult;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostFolder;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one of our small main classes ({@link EchoServer}, {@link NetProbe}) is run on a host. On this machine
 * ({@link #local()}): this JVM's java and class path ({@link JavaMain}). On a remote host, which has neither
 * ({@link #shippedTo}): the class file alone (both use nothing but the JDK) is written into a folder there, through
 * that host's commands, and run with that host's {@code java}, which must be 17 or newer, as our class files are.
 *
 * @since 0.4
 */
public final class JavaLauncher {

    /** The oldest Java that runs our class files (the release they are compiled for). */
    static final int REQUIRED = 17;
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
    private static final JavaLauncher LOCAL = new JavaLauncher(null, null);

    /** The host the classes run on; null on this machine. */
    private final HostCommands host;
    /** Where the classes go on the host; null on this machine. */
    private final HostFolder classes;
    private final Set<Class<?>> shipped = new HashSet<>();
    private boolean javaChecked;

    private JavaLauncher(HostCommands host, HostFolder classes) {
        this.host = host;
        this.classes = classes;
    }

    /** This machine: this JVM's java binary and class path. */
    public static JavaLauncher local() {
        return LOCAL;
    }

    /**
     * A remote host, {@code host}: the class files written into {@code folder} there (a run's folder, so they go
     * with the run and a sweep removes them after a crash), run with the host's {@code java}.
     */
    public static JavaLauncher shippedTo(HostCommands host, HostFolder folder) {
        return new JavaLauncher(Objects.requireNonNull(host, "host"), Objects.requireNonNull(folder, "folder"));
    }

    /**
     * {@code java OPTIONS -cp WHERE mainClass args...} for this host; on a remote host the class is shipped first
     * (once) and its java checked (once).
     *
     * @throws VirtunitException when the remote host has no java, or one older than 17 (the message names the host
     *                           and the remedy), or the class cannot be written there
     */
    public synchronized List<String> argv(Class<?> mainClass, String... args) {
        if (classes == null) {
            return JavaMain.argv(mainClass, args);
        }
        checkJava();
        ship(mainClass);
        List<String> argv = new ArrayList<>();
        argv.add("java");
        argv.addAll(JavaMain.JVM_OPTIONS);
        argv.add("-cp");
        argv.add(classes.path().toString());
        argv.add(mainClass.getName());
        argv.addAll(List.of(args));
        return argv;
    }

    private void checkJava() {
        if (javaChecked) {
            return;
        }
        String remedy = " The upstream's echo service and probes run there with that host's java: install a headless "
                + "JRE " + REQUIRED + " or newer on it (Debian, Ubuntu: apt install default-jre-headless).";
        CommandResult result;
        try {
            result = host.run(VERSION_TIMEOUT, List.of("java", "-version"));
        } catch (RuntimeException e) {
            throw new VirtunitException("no java on " + host + ": " + e.getMessage() + "." + remedy, e);
        }
        Optional<Integer> version = feature(result.stderr() + result.stdout());
        if (!result.succeeded() || version.isEmpty()) {
            throw new VirtunitException("java -version on " + host + " failed with exit code "
                    + result.exitCode() + ": " + result.stderr().strip() + "." + remedy);
        }
        if (version.get() < REQUIRED) {
            throw new VirtunitException("java on " + host + " is version " + version.get() + ", older than "
                    + REQUIRED + "." + remedy);
        }
        javaChecked = true;
    }

    /** The feature release {@code java -version} names: 17 for "17.0.15", 8 for "1.8.0_392". */
    static Optional<Integer> feature(String versionText) {
        Matcher matcher = VERSION.matcher(versionText);
        if (!matcher.find()) {
            return Optional.empty();
        }
        int first = Integer.parseInt(matcher.group(1));
        return Optional.of(first == 1 && matcher.group(2) != null ? Integer.parseInt(matcher.group(2)) : first);
    }

    private void ship(Class<?> mainClass) {
        if (shipped.contains(mainClass)) {
            return;
        }
        String[] path = mainClass.getName().split("\\.");
        HostFolder folder = classes;
        for (int i = 0; i < path.length - 1; i++) {
            folder = folder.folder(path[i]);
        }
        folder.create().write(path[path.length - 1] + ".class", classFile(mainClass));
        shipped.add(mainClass);
    }

    private static byte[] classFile(Class<?> type) {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            if (in == null) {
                throw new VirtunitException("cannot find the class file " + resource + " to run it on another host");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new VirtunitException("cannot read the class file " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Where the classes go on the host, if remote. */
    public Optional<HostFolder> folder() {
        return Optional.ofNullable(classes);
    }
}

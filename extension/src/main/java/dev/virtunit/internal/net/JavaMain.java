package dev.virtunit.internal.net;

import dev.virtunit.VirtunitException;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs one of our small main classes ({@link EchoServer}, {@link NetProbe}) in a fresh JVM,
 * typically inside a network namespace: the java binary of this very JVM (no PATH lookup, same version) and the
 * jar or class folder the main class was loaded from, so it works from a reactor build, an installed jar or an IDE.
 *
 * @since 0.1
 */
public final class JavaMain {

    /**
     * Small helpers start in well under a second and take little memory with these; IPv4 sockets so that peers
     * print as {@code 192.168.231.1}, not as IPv4-mapped IPv6 addresses.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xmx48m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djava.net.preferIPv4Stack=true");

    private JavaMain() {
    }

    /** {@code java OPTIONS -cp WHERE mainClass args...}. */
    public static List<String> argv(Class<?> mainClass, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(javaExecutable());
        argv.addAll(JVM_OPTIONS);
        argv.add("-cp");
        argv.add(classpathOf(mainClass).toString());
        argv.add(mainClass.getName());
        argv.addAll(List.of(args));
        return argv;
    }

    /** The java binary running this JVM. */
    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The jar or folder {@code type} was loaded from. */
    static Path classpathOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new VirtunitException("cannot tell where " + type.getName() + " was loaded from, so cannot run it "
                    + "in another JVM");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new VirtunitException("cannot turn " + source.getLocation() + " into a class path entry", e);
        }
    }
}

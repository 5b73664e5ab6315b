package dev.virtunit.internal.lab;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Graphviz's {@code dot} program, found on a search path and run through {@link HostCommands}. It is looked up
 * before it is run, so that a host without Graphviz gets an error that names the package to install rather than
 * "cannot run program".
 */
final class GraphvizDot {

    /** A lab's picture renders in well under a second; a minute means something is wrong. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HostCommands host;
    private final String searchPath;

    /** {@code searchPath} as {@code PATH}: folders separated by {@link File#pathSeparator}. */
    GraphvizDot(HostCommands host, String searchPath) {
        this.host = host;
        this.searchPath = searchPath == null ? "" : searchPath;
    }

    /** {@code dot} on this JVM's {@code PATH}, run on this host. */
    static GraphvizDot local() {
        return new GraphvizDot(HostCommands.local(), System.getenv("PATH"));
    }

    /** The {@code dot} program the search path leads to, if any. */
    Optional<Path> program() {
        return Arrays.stream(searchPath.split(File.pathSeparator)).filter(folder -> !folder.isEmpty())
                .map(folder -> Path.of(folder, "dot")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Renders the DOT text {@code dot} as {@code format} ({@code svg}, {@code png}) into {@code out}, through a
     * temporary file (the seam runs argument vectors; it has no standard input to give).
     *
     * @throws VirtunitException naming the package when {@code dot} is missing, or with dot's stderr when it fails
     */
    void render(String dot, String format, Path out) {
        Path program = program().orElseThrow(() -> new VirtunitException("cannot render " + out + ": Graphviz's dot "
                + "program is not on the PATH (" + searchPath + "). Install the package graphviz (apt-get install "
                + "graphviz; scripts/setup-host installs it); without it only the text and DOT forms can be written"));
        Path input = null;
        try {
            input = Files.createTempFile("virtunit-topology-", ".dot");
            Files.writeString(input, dot, StandardCharsets.UTF_8);
            host.check(TIMEOUT, List.of(program.toString(), "-T" + format, "-o", out.toString(), input.toString()));
        } catch (IOException | RuntimeException e) {
            throw new VirtunitException("Graphviz could not render " + out + " as " + format + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(input);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left in /tmp harms nothing; the rendering's own outcome is what matters.
            }
        }
    }
}

package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.FileTrees;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;
import dev.virtunit.internal.text.ShellQuoting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * {@code virtunit:tiny}: the image {@code scripts/build-test-image} leaves at {@code <cacheDir>/images/tiny.qcow2},
 * built on first use when it is not there. The library carries the script and {@code scripts/image/**} as resources
 * under {@value #RESOURCES}; they are unpacked into a temporary folder with the script's {@code image/} folder beside
 * it, where it looks for it, and the executable bit restored on every file that starts with {@code #!} (as in the
 * checkout, so the script computes the same cache key as {@code scripts/build-test-image} would).
 */
final class TinyImage {

    /** Where the build script and its {@code image/} folder are among the library's resources. */
    static final String RESOURCES = "virtunit/image-build/";
    static final String SCRIPT = "build-test-image";

    private static final Logger LOG = LoggerFactory.getLogger(TinyImage.class);
    private static final int STDERR_LINES_KEPT = 20;
    /** A build's output line by line is for DEBUG; at INFO, a line this often says it is alive and where it is. */
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(15);

    private final Path cacheDir;
    private final HostCommands host;
    private final Duration timeout;

    /** @param timeout how long a build may take (a cold build takes a minute or two, apt downloads included) */
    TinyImage(Path cacheDir, HostCommands host, Duration timeout) {
        this.cacheDir = cacheDir;
        this.host = host;
        this.timeout = timeout;
    }

    /** The tiny image, built first if it is not there. */
    Path image() {
        Path image = cacheDir.resolve("images").resolve("tiny.qcow2");
        if (Files.isReadable(image)) {
            return image;
        }
        try {
            Files.createDirectories(image.getParent());
        } catch (IOException e) {
            throw new VirtunitException("cannot create " + image.getParent() + " to build virtunit:tiny: " + e
                    + "; check that virtunit.cache.dir is writable by this user", e);
        }
        try (CacheLock lock = CacheLock.acquire(image.resolveSibling(".tiny-build.lock"), "virtunit:tiny")) {
            if (!Files.isReadable(image)) {
                build();
            }
        }
        if (!Files.isReadable(image)) {
            throw new VirtunitException("build-test-image finished but left no " + image + "; run scripts/build-test-image "
                    + "--cache-dir " + cacheDir + " as root and read what it says");
        }
        return image;
    }

    private void build() {
        Path scripts;
        try {
            scripts = Files.createTempDirectory("virtunit-image-build-");
            extractScripts(TinyImage.class.getClassLoader(), scripts);
        } catch (IOException e) {
            throw new VirtunitException("cannot unpack the build script of virtunit:tiny: " + e, e);
        }
        try {
            run(List.of("bash", scripts.resolve(SCRIPT).toString(), "--cache-dir", cacheDir.toString()));
        } finally {
            FileTrees.deleteQuietly(scripts);
        }
    }

    private void run(List<String> argv) {
        LOG.info("virtunit:tiny is not in {} yet: building it (a minute or two): {}", cacheDir, ShellQuoting.join(argv));
        HostProcess build = host.start(argv);
        build.closeInput();
        ImageBuildProgress progress = new ImageBuildProgress("virtunit:tiny", System.nanoTime(), PROGRESS_INTERVAL);
        Deque<String> lastErrors = new ArrayDeque<>();
        ProcessOutput.forEachLine(build.stdout(), line -> {
            LOG.debug(line);
            progress.advance(line, System.nanoTime()).ifPresent(LOG::info);
        });
        CompletableFuture<Void> stderrRead = ProcessOutput.forEachLine(build.stderr(), line -> {
            // apt and debootstrap write their progress to stderr too; a failure's last lines are in the exception.
            LOG.debug(line);
            progress.advance(line, System.nanoTime()).ifPresent(LOG::info);
            synchronized (lastErrors) {
                lastErrors.addLast(line);
                if (lastErrors.size() > STDERR_LINES_KEPT) {
                    lastErrors.removeFirst();
                }
            }
        });
        try {
            if (!build.waitFor(timeout)) {
                build.kill();
                throw new VirtunitException("building virtunit:tiny did not finish within " + timeout.toSeconds()
                        + " s; build it once by hand: scripts/build-test-image --cache-dir " + cacheDir);
            }
        } catch (InterruptedException e) {
            build.kill();
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while building virtunit:tiny", e);
        }
        int exit = build.exitCode().orElse(-1);
        if (exit != 0) {
            stderrRead.completeOnTimeout(null, 5, TimeUnit.SECONDS).join();   // its last lines say why
            String errors;
            synchronized (lastErrors) {
                errors = String.join("\n", lastErrors);
            }
            throw new VirtunitException("building virtunit:tiny failed (" + ShellQuoting.join(argv) + " exited " + exit
                    + "):\n" + errors + "\nBuild it once as root: scripts/build-test-image --cache-dir " + cacheDir);
        }
        LOG.info(progress.finished(System.nanoTime()));
    }

    /** Copies the script and {@code image/**} out of the library, from a jar or from a folder of classes. */
    static void extractScripts(ClassLoader library, Path target) throws IOException {
        URL script = library.getResource(RESOURCES + SCRIPT);
        if (script == null) {
            throw new IOException("the library has no resource " + RESOURCES + SCRIPT + "; it was built without scripts/");
        }
        if (script.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) script.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.isDirectory() && entry.getName().startsWith(RESOURCES)) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            write(in, target.resolve(entry.getName().substring(RESOURCES.length())));
                        }
                    }
                }
            }
            return;
        }
        Path root;
        try {
            root = Path.of(script.toURI()).getParent();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("cannot read the resources at " + script, e);
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    write(in, target.resolve(root.relativize(file).toString()));
                }
            }
        }
    }

    private static void write(InputStream in, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.copy(in, file);
        boolean script;
        try (InputStream head = Files.newInputStream(file)) {
            script = new String(head.readNBytes(2), StandardCharsets.US_ASCII).equals("#!");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(script ? "rwxr-xr-x" : "rw-r--r--"));
    }
}

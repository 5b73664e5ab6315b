package dev.virtunit.internal.image;

import dev.virtunit.ImageLocation;
import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The download cache against a real web server on 127.0.0.1: once per URL (or digest), verified, unpacked, stored
 * atomically, shared by threads and by another JVM; every failure a clear error naming the URL, leaving no partial file.
 */
class UrlImageCacheTest {

    /** Starts like a qcow2 file (so it is not taken for compressed), then 300 KB of noise. */
    private static final byte[] IMAGE = image();

    @TempDir
    Path dir;
    private Path cacheDir;
    private ImageServer server;

    @BeforeEach
    void start() throws IOException {
        cacheDir = dir.resolve("cache");
        server = new ImageServer().serve("/disk.qcow2", IMAGE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private UrlImageCache cache() {
        return new UrlImageCache(cacheDir, HostCommands.local(), HttpDownload.withDefaultTimeouts());
    }

    private static ImageLocation.Url url(URI uri, String digest) {
        return new ImageLocation.Url(uri.toString(), Optional.ofNullable(digest));
    }

    @Test
    void anImageIsDownloadedOnceAndReadByEveryone() throws IOException {
        URI uri = server.uri("/disk.qcow2");
        Path image = cache().image(url(uri, null));

        Path entry = cacheDir.resolve("images/by-url").resolve(Sha256.hexOf(uri.toString()));
        assertThat(image).isEqualTo(entry.resolve("disk.qcow2")).hasBinaryContent(IMAGE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entry))).isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(entry.resolve("source.txt"))).contains("url: " + uri, "digest: " + sha256(IMAGE),
                "compression: none", "size: " + IMAGE.length);
        assertThat(names(entry)).containsExactlyInAnyOrder(".lock", "disk.qcow2", "source.txt");

        assertThat(cache().image(url(uri, null))).isEqualTo(image);
        assertThat(server.requests("/disk.qcow2")).isEqualTo(1);
    }

    @Test
    void aDigestNamesTheEntryAndIsVerified() {
        String digest = sha256(IMAGE);
        Path image = cache().image(url(server.uri("/disk.qcow2"), digest.toUpperCase().replace("SHA", "sha")));

        assertThat(image).isEqualTo(cacheDir.resolve("images/by-url").resolve(digest.substring(7)).resolve("disk.qcow2"))
                .hasBinaryContent(IMAGE);
    }

    @Test
    void aWrongDigestIsAnErrorAndKeepsNothing() {
        URI uri = server.uri("/disk.qcow2");
        String wrong = "sha256:" + "0".repeat(64);

        assertThatThrownBy(() -> cache().image(url(uri, wrong))).isInstanceOf(VirtunitException.class)
                .hasMessage("image " + uri + " does not match its digest: expected " + wrong + ", got " + sha256(IMAGE)
                        + " (" + IMAGE.length + " bytes); nothing was kept. Check the digest, or whether the server now "
                        + "serves another file");
        assertThat(names(cacheDir.resolve("images/by-url").resolve("0".repeat(64)))).containsExactly(".lock");
    }

    @Test
    void gzipAndXzImagesAreUnpackedAndTheirDigestIsOfTheFileAsServed() throws Exception {
        byte[] gz = gzip(IMAGE);
        byte[] xz = xz(IMAGE);
        server.serve("/disk.qcow2.gz", gz).serve("/disk.qcow2.xz", xz);

        Path fromGz = cache().image(url(server.uri("/disk.qcow2.gz"), sha256(gz)));
        Path fromXz = cache().image(url(server.uri("/disk.qcow2.xz"), sha256(xz)));

        assertThat(fromGz).hasFileName("disk.qcow2").hasBinaryContent(IMAGE);
        assertThat(fromXz).hasFileName("disk.qcow2").hasBinaryContent(IMAGE);
        assertThat(names(fromXz.getParent())).containsExactlyInAnyOrder(".lock", "disk.qcow2", "source.txt");
        assertThat(Files.readString(fromXz.resolveSibling("source.txt"))).contains("compression: xz");
    }

    @Test
    void aDamagedArchiveIsAnErrorAndKeepsNothing() {
        byte[] badGz = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        byte[] badXz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6};
        server.serve("/bad.img.gz", badGz).serve("/bad.img.xz", badXz);
        URI gzUri = server.uri("/bad.img.gz");
        URI xzUri = server.uri("/bad.img.xz");

        assertThatThrownBy(() -> cache().image(url(gzUri, null))).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot unpack image " + gzUri + " (gzip): ")
                .hasMessageEndingWith("; the download may be damaged: give its digest so a bad download is caught, or check the file");
        assertThatThrownBy(() -> cache().image(url(xzUri, null))).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot unpack image " + xzUri + ": xz exited 1: xz: ")
                .hasMessageEndingWith("; the download may be damaged: give its digest so a bad download is caught, or check the file");
        assertThat(names(cacheDir.resolve("images/by-url").resolve(Sha256.hexOf(gzUri.toString())))).containsExactly(".lock");
        assertThat(names(cacheDir.resolve("images/by-url").resolve(Sha256.hexOf(xzUri.toString())))).containsExactly(".lock");
    }

    @Test
    void anHttpErrorNamesTheUrlAndTheStatus() {
        URI uri = server.uri("/nowhere.qcow2");

        assertThatThrownBy(() -> cache().image(url(uri, null))).isInstanceOf(VirtunitException.class)
                .hasMessage("cannot download image " + uri + ": the server answered HTTP 404 (not found); check the URL");
        assertThat(names(cacheDir.resolve("images/by-url").resolve(Sha256.hexOf(uri.toString())))).containsExactly(".lock");
    }

    @Test
    void aRefusedConnectionNamesTheUrlAndTheCause() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + closedPort + "/disk.qcow2");

        assertThatThrownBy(() -> cache().image(url(uri, null))).isInstanceOf(VirtunitException.class)
                .hasMessageStartingWith("cannot download image " + uri + ": ")
                .hasMessageContaining("ConnectException")
                .hasMessageEndingWith("; check the URL and that the server is up");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        // The kernel accepts the connection into the backlog; nobody ever reads the request.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/disk.qcow2");
            UrlImageCache impatient = new UrlImageCache(cacheDir, HostCommands.local(),
                    new HttpDownload(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5)));

            assertThatThrownBy(() -> impatient.image(url(uri, null))).isInstanceOf(VirtunitException.class)
                    .hasMessageStartingWith("cannot download image " + uri + ": no answer within the response timeout");
        }
    }

    @Test
    void aBodyThatStopsFlowingIsGivenUpAndKeepsNothing() {
        server.gate("/disk.qcow2");
        URI uri = server.uri("/disk.qcow2");
        UrlImageCache impatient = new UrlImageCache(cacheDir, HostCommands.local(),
                new HttpDownload(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1)));

        assertThatThrownBy(() -> impatient.image(url(uri, null))).isInstanceOf(VirtunitException.class)
                .hasMessage("cannot download image " + uri + ": the server sent nothing for 1 s after 1.0 KB; try again, "
                        + "or check the server");
        assertThat(names(cacheDir.resolve("images/by-url").resolve(Sha256.hexOf(uri.toString())))).containsExactly(".lock");
    }

    @Test
    void twoThreadsAskingAtOnceDownloadOnce() throws Exception {
        ImageLocation.Url url = url(server.uri("/disk.qcow2"), null);
        CompletableFuture<Path> first = downloadHeldAtTheServer(url);
        CompletableFuture<Path> secondResult = new CompletableFuture<>();
        Thread second = new Thread(() -> {
            try {
                secondResult.complete(cache().image(url));
            } catch (RuntimeException e) {
                secondResult.completeExceptionally(e);
            }
        });
        second.start();
        // The second waits on the first's lock; only then may the first finish.
        await().atMost(Duration.ofSeconds(30)).until(() -> second.getState() == Thread.State.WAITING);
        server.open("/disk.qcow2");

        assertThat(first.get(30, TimeUnit.SECONDS)).hasBinaryContent(IMAGE);
        assertThat(secondResult.get(30, TimeUnit.SECONDS)).isEqualTo(first.get());
        assertThat(server.requests("/disk.qcow2")).isEqualTo(1);
    }

    @Test
    void anotherJvmWaitsForTheDownloadUnderWayAndUsesIt() throws Exception {
        ImageLocation.Url url = url(server.uri("/disk.qcow2"), null);
        CompletableFuture<Path> here = downloadHeldAtTheServer(url);

        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CacheChild.class.getName(), cacheDir.toString(), url.address())
                .start();
        try {
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(other.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        log.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
                        if (line.contains("waiting for another process preparing " + url.address())) {
                            waiting.complete(null);
                        }
                    }
                } catch (IOException e) {
                    waiting.completeExceptionally(e);
                }
            });
            reader.start();
            waiting.get(60, TimeUnit.SECONDS);
            server.open("/disk.qcow2");

            assertThat(here.get(30, TimeUnit.SECONDS)).hasBinaryContent(IMAGE);
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            assertThat(other.exitValue()).as(log.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                    .isEqualTo(here.get().toString());
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("was downloaded meanwhile by another thread or process");
            assertThat(server.requests("/disk.qcow2")).isEqualTo(1);
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void theCachedFileIsNamedAfterTheUrlSafely() {
        assertThat(UrlImageCache.fileName(URI.create("https://h/a/debian-12-genericcloud-amd64.qcow2.xz")))
                .isEqualTo("debian-12-genericcloud-amd64.qcow2");
        assertThat(UrlImageCache.fileName(URI.create("https://h/img.raw.gz?x=1"))).isEqualTo("img.raw");
        assertThat(UrlImageCache.fileName(URI.create("https://h/"))).isEqualTo("image");
        assertThat(UrlImageCache.fileName(URI.create("https://h"))).isEqualTo("image");
        // never a path: the last segment after decoding, no leading dots, odd characters replaced
        assertThat(UrlImageCache.fileName(URI.create("https://h/..%2F..%2Fetc"))).isEqualTo("etc");
        assertThat(UrlImageCache.fileName(URI.create("https://h/..%2F.."))).isEqualTo("image");
        assertThat(UrlImageCache.fileName(URI.create("https://h/my%20disk%3B.qcow2"))).isEqualTo("my_disk_.qcow2");
    }

    /** Starts resolving {@code url} on another thread and returns once its download is under way, held by the server. */
    private CompletableFuture<Path> downloadHeldAtTheServer(ImageLocation.Url url) throws InterruptedException {
        server.gate(url.uri().getPath());
        CompletableFuture<Path> download = CompletableFuture.supplyAsync(() -> cache().image(url));
        assertThat(server.awaitRequest(url.uri().getPath())).isTrue();
        return download;
    }

    private static List<String> names(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] image() {
        byte[] image = new byte[300_000];
        new Random(8).nextBytes(image);
        System.arraycopy(new byte[] {'Q', 'F', 'I', (byte) 0xfb}, 0, image, 0, 4);
        return image;
    }

    private static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(packed)) {
            out.write(content);
        }
        return packed.toByteArray();
    }

    private byte[] xz(byte[] content) throws Exception {
        Path plain = Files.write(dir.resolve("plain"), content);
        Path packed = dir.resolve("plain.xz");
        Process xz = new ProcessBuilder("xz", "-c", plain.toString()).redirectOutput(packed.toFile()).start();
        assertThat(xz.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(xz.exitValue()).isZero();
        return Files.readAllBytes(packed);
    }
}

package dev.virtunit.it;

import com.sun.net.httpserver.HttpServer;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.internal.host.Command;
import dev.virtunit.junit.LibvirtGuest;
import dev.virtunit.junit.LibvirtTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.virtunit.assertions.VirtunitAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images named rather than found: {@code virtunit:tiny} through the annotation, and a URL served by a web server on
 * 127.0.0.1 (the tiny image, with its digest), downloaded once into a fresh cache, verified and booted.
 */
@LibvirtTest
class ImageFromUrlIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @LibvirtGuest(image = "virtunit:tiny")
    static Guest tiny;

    @Test
    void theBuiltInTinyImageBootsByItsName() {
        assertThat(tiny.ssh().exec("cat /etc/virtunit-image")).succeeded().stdoutContains("key=");
        assertThat(backingFile(tiny)).isEqualTo(TestHost.get().testImage().toString());
    }

    @Test
    void anImageServedOverHttpIsDownloadedOnceVerifiedAndBooted() throws IOException {
        Path image = TestHost.get().testImage();
        byte[] content = Files.readAllBytes(image);
        String digest = "sha256:" + TestHost.sha256(image);
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/tiny.qcow2", exchange -> {
            requests.incrementAndGet();
            try (exchange; OutputStream body = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, content.length);
                body.write(content);
            }
        });
        server.start();
        // A cache of its own, so the download really happens; readable by libvirt's qemu user, as the real one.
        Path cacheDir = Files.createTempDirectory("virtunit-it-cache-");
        Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LabConfig config = LabConfig.fromEnvironment();
        TestHost.copyKvmProof(config.cacheDir(), cacheDir);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/tiny.qcow2");
        try (Lab lab = Lab.start(config.withCacheDir(cacheDir))) {
            Guest first = lab.guest(GuestSpec.builder().image(url, digest).build());
            Guest second = lab.guest(GuestSpec.builder().image(url, digest).build());

            Path cached = cacheDir.resolve("images/by-url").resolve(digest.substring("sha256:".length())).resolve("tiny.qcow2");
            assertThat(backingFile(first)).isEqualTo(cached.toString());
            assertThat(backingFile(second)).isEqualTo(cached.toString());
            assertThat(first.ssh().exec("cat /etc/virtunit-image")).succeeded().stdoutContains("key=");
            assertThat(second.ssh().exec("hostname")).succeeded();
            assertThat("sha256:" + TestHost.sha256(cached)).isEqualTo(digest);
            assertThat(requests.get()).as("downloads of the URL").isEqualTo(1);
        } finally {
            server.stop(0);
            TestHost.deleteRecursively(cacheDir);
        }
    }

    /** The file the guest's overlay is on top of, as qemu-img reads it from the overlay itself. */
    private static String backingFile(Guest guest) {
        String overlay = guest.disks().stream().filter(d -> d.target().equals("vda")).findFirst().orElseThrow().source();
        String json = Command.check(TIMEOUT, "qemu-img", "info", "-U", "--output=json", overlay).stdout();
        return TestHost.jsonField(json, "backing-filename");
    }
}

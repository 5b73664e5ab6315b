package dev.virtunit.internal.lab;

import dev.virtunit.Capture;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.net.PacketCapture;
import dev.virtunit.internal.net.PcapFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A {@link Capture} of the lab's: the pcap goes to a folder of the JVM's temporary directory, is deleted when its
 * owner (a bridge or guest) is removed, and is listed in the owner's captures so that a failure report copies it
 * before that.
 */
final class LabCapture implements Capture {

    private static final Path FOLDER = Path.of(System.getProperty("java.io.tmpdir"), "virtunit-captures");

    private final PacketCapture capture;
    private final String owner;
    private final Instant started;

    private LabCapture(PacketCapture capture, String owner, Instant started) {
        this.capture = capture;
        this.owner = owner;
        this.started = started;
    }

    /**
     * Starts capturing on {@code device} for {@code owner} (the bridge or guest it belongs to, for the report) and
     * adds the capture to {@code captures}; the file's removal goes into {@code teardown} first.
     */
    static LabCapture start(HostCommands host, String device, String owner, Duration limit, Teardown teardown,
                            List<LabCapture> captures) {
        Instant started = Instant.now();
        Path file;
        try {
            Files.createDirectories(FOLDER);
            file = Files.createTempFile(FOLDER, device + "-", ".pcap");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a capture file in " + FOLDER, e);
        }
        teardown.register("capture " + file, () -> Files.deleteIfExists(file));
        LabCapture capture = new LabCapture(PacketCapture.start(host, device, file, limit), owner, started);
        teardown.register("tcpdump on " + device, capture::close);
        captures.add(capture);
        return capture;
    }

    String owner() {
        return owner;
    }

    Instant started() {
        return started;
    }

    /** The pcap file as it is now, without stopping the capture (for a report taken while it runs). */
    Path file() {
        return capture.file();
    }

    @Override
    public String interfaceName() {
        return capture.device();
    }

    @Override
    public Path pcap() {
        capture.stop();
        return capture.file();
    }

    @Override
    public int packetCount() {
        return PcapFile.packetCount(pcap());
    }

    @Override
    public String decoded() {
        return capture.decoded();
    }

    @Override
    public void close() {
        capture.stop();
    }

    @Override
    public String toString() {
        return "Capture[" + capture.device() + " of " + owner + ", " + capture.file() + "]";
    }
}

package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import dev.virtunit.internal.host.HostCommands;
import dev.virtunit.internal.host.HostProcess;
import dev.virtunit.internal.host.ProcessOutput;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a downloaded image that is compressed, recognised by its first bytes rather than its name (a download URL
 * need not end in {@code .xz}): gzip with {@link GZIPInputStream}, xz with the host's {@code xz -dc}, which Java
 * lacks. The result is synced to disk, since the caller renames it into the cache next.
 */
enum Unpacking {
    NONE(new byte[0]),
    GZIP(new byte[] {0x1f, (byte) 0x8b}),
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0});

    private final byte[] magic;

    Unpacking(byte[] magic) {
        this.magic = magic;
    }

    /** How {@code file} is compressed, from its first bytes. */
    static Unpacking of(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(6);
        }
        for (Unpacking kind : List.of(XZ, GZIP)) {
            if (head.length >= kind.magic.length && Arrays.equals(head, 0, kind.magic.length, kind.magic, 0, kind.magic.length)) {
                return kind;
            }
        }
        return NONE;
    }

    /**
     * Writes the unpacked {@code packed} to {@code unpacked} (replaced).
     *
     * @param what    what is unpacked, for messages (its URL)
     * @param timeout how long {@code xz} may take
     */
    void unpack(Path packed, Path unpacked, HostCommands host, Duration timeout, String what) throws IOException {
        switch (this) {
            case NONE -> throw new IllegalStateException(packed + " is not compressed");
            case GZIP -> {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(packed), 1 << 16)) {
                    writeSynced(in, unpacked);
                } catch (IOException e) {
                    throw new VirtunitException("cannot unpack image " + what + " (gzip): " + e.getMessage()
                            + "; the download may be damaged: give its digest so a bad download is caught, or check the file", e);
                }
            }
            case XZ -> unxz(packed, unpacked, host, timeout, what);
        }
    }

    private static void unxz(Path packed, Path unpacked, HostCommands host, Duration timeout, String what) {
        HostProcess xz = host.start(List.of("xz", "--decompress", "--stdout", packed.toString()));
        xz.closeInput();
        CompletableFuture<String> stderr = ProcessOutput.readAll(xz.stderr());
        CompletableFuture<Void> copied = ProcessOutput.supply(() -> {
            try {
                writeSynced(xz.stdout(), unpacked);
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            copied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!xz.waitFor(Duration.ofSeconds(30))) {
                throw new TimeoutException();
            }
        } catch (TimeoutException e) {
            xz.kill();
            throw new VirtunitException("cannot unpack image " + what + ": xz did not finish within " + timeout.toMinutes()
                    + " min");
        } catch (InterruptedException e) {
            xz.kill();
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while unpacking image " + what, e);
        } catch (ExecutionException e) {
            xz.kill();
            throw new VirtunitException("cannot unpack image " + what + ": writing " + unpacked + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
        int exit = xz.exitCode().orElse(-1);
        if (exit != 0) {
            throw new VirtunitException("cannot unpack image " + what + ": xz exited " + exit + ": "
                    + stderr.completeOnTimeout("", 5, TimeUnit.SECONDS).join().strip() + "; the download may be damaged: give its digest so a bad download is "
                    + "caught, or check the file");
        }
    }

    private static void writeSynced(InputStream in, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(channel);
            in.transferTo(out);
            channel.force(true);
        }
    }
}

package dev.virtunit.internal.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * How every cache entry is written: folders 0755 and files 0644 (libvirt's qemu user reads cached images as backing
 * files), files prepared as {@code .part-*} temporaries of the entry's own folder and renamed into place once
 * synced, so an entry's file is either there complete or not there.
 */
final class CacheFiles {

    static final String TEMPORARY_PREFIX = ".part-";

    private CacheFiles() {
    }

    static void createReadableDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            createReadableDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (FileAlreadyExistsException e) {
            // another thread or process made it: just as good
        }
    }

    /** Removes what a JVM killed half-way left; call it only while holding the entry's {@link CacheLock}. */
    static void removeTemporaries(Path entry) throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(entry, TEMPORARY_PREFIX + "*")) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** Makes {@code ready} readable by all, syncs it and renames it to {@code target} atomically. */
    static void publish(Path ready, Path target) throws IOException {
        Files.setPosixFilePermissions(ready, PosixFilePermissions.fromString("rw-r--r--"));
        try (FileChannel channel = FileChannel.open(ready, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(ready, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Writes a small text file atomically (temporary, then rename). */
    static void writeAtomically(Path target, String text) throws IOException {
        Path part = Files.createTempFile(target.toAbsolutePath().getParent(), TEMPORARY_PREFIX, ".txt");
        try {
            Files.writeString(part, text);
            publish(part, target);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** So the rename survives a crash: a cache entry is either there complete or not there. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system syncs folders; the file itself is synced already
        }
    }
}

package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/** {@link HostFiles} of this machine, with java.nio: what a local lab always did. */
final class LocalHostFiles implements HostFiles {

    static final LocalHostFiles INSTANCE = new LocalHostFiles();

    private LocalHostFiles() {
    }

    @Override
    public void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failed("create the folder", dir, e);
        }
    }

    @Override
    public void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw failed("write", file, e);
        }
    }

    @Override
    public void copyFrom(Path localFile, Path file) {
        try {
            Files.copy(localFile, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failed("copy " + localFile + " to", file, e);
        }
    }

    @Override
    public Optional<byte[]> readFrom(Path file, long offset) {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            long from = Math.min(offset, size);
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, size - from));
            channel.position(from);
            while (bytes.hasRemaining() && channel.read(bytes) > 0) {
                // up to the end the file had when opened
            }
            byte[] read = new byte[bytes.position()];
            System.arraycopy(bytes.array(), 0, read, 0, read.length);
            return Optional.of(read);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failed("read", file, e);
        }
    }

    @Override
    public OptionalLong size(Path file) {
        try {
            return OptionalLong.of(Files.size(file));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw failed("read the size of", file, e);
        }
    }

    @Override
    public void delete(Path path) {
        HostFiles.requireOwn(path, where());
        try {
            FileTrees.deleteRecursively(path);
        } catch (IOException e) {
            throw failed("delete", path, e);
        }
    }

    @Override
    public String where() {
        return "this machine";
    }

    private VirtunitException failed(String what, Path file, IOException e) {
        return new VirtunitException("cannot " + what + " " + file + " on " + where() + ": " + e, e);
    }

    @Override
    public String toString() {
        return "HostFiles[" + where() + "]";
    }
}

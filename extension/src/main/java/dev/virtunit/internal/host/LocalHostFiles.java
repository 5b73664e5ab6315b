package dev.virtunit.internal.host;

import dev.virtunit.VirtunitException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
    public void remove(Path dir, String name) {
        Path path = HostFolder.entry(dir, name);
        try {
            FileTrees.deleteRecursively(path);
        } catch (IOException e) {
            throw failed("delete", path, e);
        }
    }

    @Override
    public List<String> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw failed("list", dir, e);
        }
    }

    @Override
    public void writeAtomically(Path file, byte[] content) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            Files.write(part, content);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw failed("write", file, e);
        }
    }

    @Override
    public void touch(Path file) {
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            try {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
            } catch (IOException again) {
                throw failed("touch", file, again);
            }
        } catch (IOException e) {
            throw failed("touch", file, e);
        }
    }

    @Override
    public Map<String, Long> ages(Path dir) {
        long now = Instant.now().getEpochSecond();
        Map<String, Long> ages = new LinkedHashMap<>();
        for (String name : list(dir)) {
            try {
                ages.put(name, now - Files.getLastModifiedTime(dir.resolve(name)).to(TimeUnit.SECONDS));
            } catch (NoSuchFileException gone) {
                // removed meanwhile: left out
            } catch (IOException e) {
                throw failed("read the age of", dir.resolve(name), e);
            }
        }
        return ages;
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

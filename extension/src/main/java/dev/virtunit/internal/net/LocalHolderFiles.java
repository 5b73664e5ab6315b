package dev.virtunit.internal.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** {@link HolderFiles} in a folder of this machine, locked with a file lock that every JVM here respects. */
final class LocalHolderFiles implements HolderFiles {

    static final String HOLDER = ".holder";
    private static final String ORIGINAL = "original";

    private final Path dir;

    LocalHolderFiles(Path dir) {
        this.dir = dir;
    }

    @Override
    public <T> T locked(LockedStep<T> step) {
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                return step.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot count IP forwarding holders in " + dir, e);
        }
    }

    @Override
    public List<String> holders() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith(HOLDER)).sorted().toList();
        }
    }

    @Override
    public Optional<String> read(String holder) throws IOException {
        try {
            return Optional.of(Files.readString(dir.resolve(holder)));
        } catch (java.nio.file.NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    @Override
    public void write(String holder, String text) throws IOException {
        Files.writeString(dir.resolve(holder), text);
    }

    @Override
    public void delete(String holder) throws IOException {
        Files.deleteIfExists(dir.resolve(holder));
    }

    @Override
    public Optional<String> original() throws IOException {
        Path original = dir.resolve(ORIGINAL);
        return Files.exists(original) ? Optional.of(Files.readString(original).strip()) : Optional.empty();
    }

    @Override
    public void saveOriginal(String value) throws IOException {
        Files.writeString(dir.resolve(ORIGINAL), value + "\n");
    }

    @Override
    public void deleteOriginal() throws IOException {
        Files.deleteIfExists(dir.resolve(ORIGINAL));
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String where() {
        return dir.toString();
    }
}

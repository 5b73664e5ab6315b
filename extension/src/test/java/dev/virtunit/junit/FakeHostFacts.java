package dev.virtunit.junit;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A host made of the files and program outputs a test gives it; everything else is missing. */
final class FakeHostFacts implements HostFacts {

    private final Map<Path, String> files = new HashMap<>();
    private final Set<Path> usable = new HashSet<>();
    private final Map<List<String>, String> outputs = new HashMap<>();

    FakeHostFacts file(String path, String text) {
        files.put(Path.of(path), text);
        return this;
    }

    /** A file (a device node) that exists and that this process may read and write. */
    FakeHostFacts usable(Path path) {
        files.put(path, "");
        usable.add(path);
        return this;
    }

    FakeHostFacts output(List<String> argv, String stdout) {
        outputs.put(List.copyOf(argv), stdout);
        return this;
    }

    @Override
    public Optional<String> read(Path file) {
        return Optional.ofNullable(files.get(file));
    }

    @Override
    public boolean exists(Path file) {
        return files.containsKey(file);
    }

    @Override
    public boolean readableAndWritable(Path file) {
        return usable.contains(file);
    }

    @Override
    public Optional<String> output(List<String> argv) {
        return Optional.ofNullable(outputs.get(argv));
    }
}

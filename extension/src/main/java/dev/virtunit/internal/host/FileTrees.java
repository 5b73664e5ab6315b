package dev.virtunit.internal.host;

import java.nio.file.LinkOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deletes folders virtunit made (pool directories, seed staging folders), contents first. Links are removed, never
 * followed, so a link planted inside can never lead a delete outside the tree.
 *
 * @since 0.2
 */
public final class FileTrees {

    private FileTrees() {
    }

    /** Deletes {@code root} and everything in it; nothing to do when it does not exist. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> paths = Files.walk(root)) {
            deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : deepestFirst) {
            Files.deleteIfExists(path);
        }
    }

    /** Like {@link #deleteRecursively}, for leftovers that matter to nobody: failures are ignored. */
    public static void deleteQuietly(Path root) {
        if (root == null) {
            return;
        }
        try {
            deleteRecursively(root);
        } catch (IOException | RuntimeException ignored) {
            // A leftover temporary folder harms nothing and has no one to report to.
        }
    }
}

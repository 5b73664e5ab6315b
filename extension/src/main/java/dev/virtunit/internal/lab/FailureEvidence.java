package dev.virtunit.internal.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * More evidence for a failure report than {@link FailureReport} gathers itself (the topology picture, say): a
 * contributor writes its files into the test's report folder and they are listed in its index. It runs under the
 * same time bound as every other item, and its failure is written into the index, never thrown at the test.
 */
public interface FailureEvidence {

    /** What the files are, for the index: {@code topology picture (Graphviz SVG and PNG)}. */
    String description();

    /**
     * Writes the files into {@code folder} about {@code handles} (the guests, bridges, networks and upstream hosts the
     * test used) of {@code lab}, and returns them.
     */
    List<Path> writeTo(Path folder, LabSession lab, List<Object> handles) throws Exception;
}

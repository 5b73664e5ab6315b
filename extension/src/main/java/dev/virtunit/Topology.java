package dev.virtunit;

import java.nio.file.Path;

/**
 * A picture of what a {@link Lab} held when {@link Lab#topology()} was called: its guests with their NICs and
 * addresses, the segments they are on (Open vSwitch and Linux bridges with their gateway and VLANs, libvirt
 * networks), each bridge's NAT with its uplink and port forwards, and the upstream hosts. It does not change when the
 * lab does; ask the lab again for a later picture.
 *
 * <p>Three forms: Graphviz DOT text ({@link #dot()}), images rendered from it by Graphviz's {@code dot} program
 * ({@link #writeSvg}, {@link #writePng}; Debian's package {@code graphviz}), and text for a terminal or a log
 * ({@link #toString()}): one block, guests, then their NICs, the segments, NAT and uplinks.
 *
 * @since 0.2
 */
public interface Topology {

    /** {@return the run whose lab this is a picture of} */
    String runId();

    /** {@return the picture as Graphviz DOT text ({@code digraph}), what the images are rendered from} */
    String dot();

    /**
     * Writes {@link #dot()} to {@code file} (folders made as needed) and returns it.
     *
     * @return {@code file}
     * @param file where to write; overwritten if it exists
     */
    Path writeDot(Path file);

    /**
     * Renders the picture as SVG into {@code file} with Graphviz's {@code dot} and returns it.
     *
     * @param file where to write; overwritten if it exists
     * @return {@code file}
     * @throws VirtunitException when {@code dot} is not installed (the message names the package) or fails
     */
    Path writeSvg(Path file);

    /**
     * Renders the picture as PNG into {@code file}, as {@link #writeSvg}.
     *
     * @return {@code file}
     * @param file where to write; overwritten if it exists
     */
    Path writePng(Path file);

    /** The text form, one line per guest, NIC, segment, NAT and upstream host, indented by what they belong to. */
    @Override
    String toString();
}

package dev.virtunit.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark as a picture: seconds against N, the total of each tool (virtunit cold, the baseline, virtunit
 * restored when measured) as a solid line with its min-max range, the boot phase of each as a dashed line. Drawn with java.awt (headless) and written by ImageIO, so it needs nothing
 * the JDK does not have.
 *
 * @since 0.3
 */
public final class TimePlot {

    private static final Color BLUE = new Color(0x1f, 0x77, 0xb4);
    private static final Color RED = new Color(0xd6, 0x27, 0x28);
    private static final Color GREEN = new Color(0x2c, 0xa0, 0x2c);
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private final BenchResults results;

    /** @param results what to draw */
    public TimePlot(BenchResults results) {
        this.results = results;
    }

    /**
     * Writes the plot as a PNG of {@code width} x {@code height} pixels.
     *
     * @param file   where to write it (its folder is created)
     * @param width  pixels, at least 300
     * @param height pixels, at least 200
     * @throws IOException when the file cannot be written
     */
    public void writePng(Path file, int width, int height) throws IOException {
        if (width < 300 || height < 200) {
            throw new IllegalArgumentException("a plot of " + width + "x" + height + " pixels has no room for its "
                    + "axes; give at least 300x200");
        }
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g, width, height);
        } finally {
            g.dispose();
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK's ImageIO; cannot write " + file);
        }
    }

    private void draw(Graphics2D g, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        List<Integer> ns = results.ns();
        double top = niceCeiling(maxSeconds(ns));
        Frame frame = new Frame(LEFT, TOP, width - LEFT - RIGHT, height - TOP - BOTTOM, ns.size(), top);

        g.setColor(Color.BLACK);
        g.drawString("Upstream + OVS bridge with NAT + N tiny guests: seconds (median, min-max)", LEFT, 25);
        g.drawLine(frame.left, frame.bottom(), frame.right(), frame.bottom());
        g.drawLine(frame.left, frame.top, frame.left, frame.bottom());
        for (int tick = 0; tick <= 5; tick++) {
            double value = top * tick / 5;
            int y = frame.y(value);
            g.setColor(new Color(0xe0, 0xe0, 0xe0));
            g.drawLine(frame.left + 1, y, frame.right(), y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", value), frame.left - 35, y + 4);
        }
        for (int i = 0; i < ns.size(); i++) {
            g.drawString("N=" + ns.get(i), frame.x(i) - 12, frame.bottom() + 18);
        }
        g.drawString("guests (N)", frame.left + frame.width / 2 - 30, frame.bottom() + 40);

        int legend = 0;
        for (Tool tool : Tool.values()) {
            Color color = color(tool);
            if (ns.stream().anyMatch(n -> !results.runsOf(tool, n).isEmpty())) {
                series(g, frame, ns, tool, Optional.empty(), color, new BasicStroke(2.5f));
                series(g, frame, ns, tool, Optional.of(Phase.BOOT), color, new BasicStroke(1.5f,
                        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                g.setColor(color);
                int y = frame.top + 12 + legend * 32;
                g.setStroke(new BasicStroke(2.5f));
                g.drawLine(frame.left + 12, y, frame.left + 40, y);
                g.drawString(tool.label() + " total", frame.left + 46, y + 4);
                g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
                g.drawLine(frame.left + 12, y + 15, frame.left + 40, y + 15);
                g.drawString(tool.label() + " boot to SSH", frame.left + 46, y + 19);
                legend++;
            }
        }
    }

    private void series(Graphics2D g, Frame frame, List<Integer> ns, Tool tool, Optional<Phase> phase, Color color,
                        BasicStroke stroke) {
        g.setColor(color);
        g.setStroke(stroke);
        int lastX = -1;
        int lastY = -1;
        for (int i = 0; i < ns.size(); i++) {
            if (results.runsOf(tool, ns.get(i)).isEmpty()) {
                continue;
            }
            Spread spread = results.spread(tool, ns.get(i), phase);
            // The tools' ranges side by side rather than on top of each other.
            int x = frame.x(i) + offset(tool);
            int y = frame.y(spread.median());
            if (lastX >= 0) {
                g.drawLine(lastX, lastY, x, y);
            }
            if (phase.isEmpty()) {
                g.drawLine(x, frame.y(spread.min()), x, frame.y(spread.max()));
                g.fillOval(x - 4, y - 4, 8, 8);
            }
            lastX = x;
            lastY = y;
        }
    }

    static Color color(Tool tool) {
        return switch (tool) {
            case VIRTUNIT -> BLUE;
            case BASELINE -> RED;
            case RESTORED -> GREEN;
        };
    }

    private static int offset(Tool tool) {
        return switch (tool) {
            case VIRTUNIT -> -6;
            case BASELINE -> 6;
            case RESTORED -> 0;
        };
    }

    private double maxSeconds(List<Integer> ns) {
        double max = 1;
        for (int n : ns) {
            for (Tool tool : Tool.values()) {
                if (!results.runsOf(tool, n).isEmpty()) {
                    max = Math.max(max, results.spread(tool, n, Optional.empty()).max());
                }
            }
        }
        return max;
    }

    /** The next of 1, 2, 5 times a power of ten at or above {@code value}, so the axis ticks are round. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** The plotting area: N values evenly spaced (N doubles from point to point), seconds linear from zero. */
    private record Frame(int left, int top, int width, int height, int points, double topSeconds) {
        int right() {
            return left + width;
        }

        int bottom() {
            return top + height;
        }

        int x(int index) {
            return points <= 1 ? left + width / 2 : left + 30 + index * (width - 60) / (points - 1);
        }

        int y(double seconds) {
            return bottom() - (int) Math.round(seconds / topSeconds * height);
        }
    }
}

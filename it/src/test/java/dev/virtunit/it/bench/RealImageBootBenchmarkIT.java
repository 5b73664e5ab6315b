package dev.virtunit.it.bench;

import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Time from nothing to a ready real-image guest (running, SSH login verified, {@code cloud-init status --wait} done),
 * cold (the image's own first boot) against cached (an overlay on the first-boot cache's warmed base), for each of
 * our Debian images, median of several rounds taken alternately. It prints figures and asserts none of them (a
 * guest that does not become ready fails it, as everywhere).
 * Run: {@code mvn -pl extension,it verify -Dit.test=RealImageBootBenchmarkIT -Dvirtunit.benchmark=true}.
 */
@EnabledIfSystemProperty(named = "virtunit.benchmark", matches = "true")
class RealImageBootBenchmarkIT {

    private static final int ROUNDS = Integer.getInteger("virtunit.benchmark.rounds", 5);

    @Test
    void coldAgainstCachedFirstBoot() {
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "%nBENCHMARK real image to ready (SSH login + cloud-init done), 512 MiB, 2 vCPUs, %d rounds%n", ROUNDS));
        for (String property : List.of("virtunit.debian12Image", "virtunit.debian13Image")) {
            Path image = Path.of(System.getProperty(property));
            List<Double> cold = new ArrayList<>();
            List<Double> cached = new ArrayList<>();
            LabConfig config = LabConfig.fromEnvironment();
            try (Lab coldLab = Lab.start(config.withFirstBootCache(false));
                 Lab cachedLab = Lab.start(config.withFirstBootCache(true))) {
                double warmUp = bootOnce(cachedLab, image);   // warms the base if this cache has none yet
                for (int round = 1; round <= ROUNDS; round++) {
                    if (round % 2 == 1) {
                        cold.add(bootOnce(coldLab, image));
                        cached.add(bootOnce(cachedLab, image));
                    } else {
                        cached.add(bootOnce(cachedLab, image));
                        cold.add(bootOnce(coldLab, image));
                    }
                }
                report.append(String.format(Locale.ROOT, "  %s%n    first guest (warm-up included if needed): %.1f s%n"
                                + "    cold  : median %.1f s  runs %s%n    cached: median %.1f s  runs %s%n"
                                + "    ratio cached / cold: %.2f%n", image.getFileName(), warmUp, median(cold), cold,
                        median(cached), cached, median(cached) / median(cold)));
            }
        }
        System.out.print(report);
    }

    private static double bootOnce(Lab lab, Path image) {
        GuestSpec spec = GuestSpec.builder().image(image).memoryMiB(512).vcpus(2)
                .bootTimeout(Duration.ofMinutes(10)).build();
        long started = System.nanoTime();
        Guest guest = lab.guest(spec);
        double seconds = (System.nanoTime() - started) / 1e9;
        lab.remove(guest);
        return Math.round(seconds * 10) / 10.0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}

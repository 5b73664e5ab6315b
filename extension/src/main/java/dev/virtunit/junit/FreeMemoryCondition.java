package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.extension.ConditionEvaluationResult.disabled;
import static org.junit.jupiter.api.extension.ConditionEvaluationResult.enabled;

/** {@link EnabledIfFreeMemory}: does MemAvailable cover the guests, now. */
final class FreeMemoryCondition extends HostCondition<EnabledIfFreeMemory> {

    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Pattern AVAILABLE = Pattern.compile("^MemAvailable:\\s+(\\d+) kB", Pattern.MULTILINE);

    FreeMemoryCondition() {
        this(HostFacts.local());
    }

    FreeMemoryCondition(HostFacts facts) {
        super(EnabledIfFreeMemory.class, facts);
    }

    /** Memory comes and goes with other tests' guests: asked each time. */
    @Override
    boolean cachedPerRun() {
        return false;
    }

    @Override
    ConditionEvaluationResult decide(EnabledIfFreeMemory found, ExtensionContext context) {
        return decide(found.guests(), found.mibPerGuest());
    }

    ConditionEvaluationResult decide(int guests, int mibPerGuest) {
        if (guests < 1 || mibPerGuest < 1) {
            throw new IllegalArgumentException("@EnabledIfFreeMemory(guests = " + guests + ", mibPerGuest = "
                    + mibPerGuest + ") is invalid: both must be 1 or more");
        }
        long neededMib = (long) guests * mibPerGuest;
        Optional<Long> availableMib = facts.read(MEMINFO).flatMap(FreeMemoryCondition::availableKib).map(kib -> kib / 1024);
        if (availableMib.isEmpty()) {
            return disabled("free memory unknown: no MemAvailable line in " + MEMINFO + " (Linux 3.14 or later has it); "
                    + guests + " guests need " + neededMib + " MiB");
        }
        String amounts = guests + " guests x " + mibPerGuest + " MiB = " + neededMib + " MiB needed, "
                + availableMib.get() + " MiB available";
        return availableMib.get() >= neededMib ? enabled(amounts)
                : disabled("not enough free memory: " + amounts + " (MemAvailable in " + MEMINFO
                        + "); stop other guests, run fewer tests at once, or use a larger machine");
    }

    private static Optional<Long> availableKib(String meminfo) {
        Matcher matcher = AVAILABLE.matcher(meminfo);
        return matcher.find() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }
}

package dev.virtunit.internal.host;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps that change something, numbered in the order they happen, shared by the fakes of one test (host
 * commands and libvirt calls alike), with one of them chosen to fail. A fault-injection test first counts the steps
 * of a run that succeeds, then fails each in turn: the numbering must be one for both fakes, or "step k" would mean
 * two things.
 */
public final class MutationSteps {

    private final List<String> steps = new ArrayList<>();
    private int failAt = -1;

    /** Step {@code k} (1 = the first step since this was made) will fail. */
    public synchronized MutationSteps failAt(int k) {
        failAt = k;
        return this;
    }

    /** Counts one step described by {@code description}; whether it is the one to fail. */
    public synchronized boolean next(String description) {
        steps.add(description);
        return steps.size() == failAt;
    }

    /** The steps so far, oldest first. */
    public synchronized List<String> steps() {
        return List.copyOf(steps);
    }

    public synchronized int count() {
        return steps.size();
    }
}

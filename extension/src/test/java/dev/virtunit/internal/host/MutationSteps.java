package dev.virtunit.internal.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The steps that change something, numbered in the order they happen, shared by the fakes of one test (host
 * commands and libvirt calls alike), with one of them chosen to fail. A fault-injection test first counts the steps
 * of a run that succeeds, then fails each in turn: the numbering must be one for both fakes, or "step k" would mean
 * two things. Steps made side by side on several threads (a bridge's NAT table loads while its links are made) come in
 * no fixed order, so a step can also be chosen by what it is ({@link #failWhen}).
 */
public final class MutationSteps {

    private final List<String> steps = new ArrayList<>();
    private int failAt = -1;
    private String failStep;
    private int failOccurrence;
    private int seen;
    private UnaryOperator<String> normalize = UnaryOperator.identity();
    private String failed;

    /** Step {@code k} (1 = the first step since this was made) will fail. */
    public synchronized MutationSteps failAt(int k) {
        failAt = k;
        return this;
    }

    /**
     * The {@code occurrence}-th step (0 = the first) whose description, after {@code normalize} (which takes out what
     * differs from run to run), is {@code step} will fail, whatever its number.
     */
    public synchronized MutationSteps failWhen(String step, int occurrence, UnaryOperator<String> normalize) {
        this.failStep = step;
        this.failOccurrence = occurrence;
        this.normalize = normalize;
        return this;
    }

    /** Counts one step described by {@code description}; whether it is the one to fail. */
    public synchronized boolean next(String description) {
        steps.add(description);
        boolean fails = steps.size() == failAt
                || failStep != null && normalize.apply(description).equals(failStep) && seen++ == failOccurrence;
        if (fails) {
            failed = description;
        }
        return fails;
    }

    /** {@return the step that was made to fail, if one was} */
    public synchronized Optional<String> failed() {
        return Optional.ofNullable(failed);
    }

    /** The steps so far, oldest first. */
    public synchronized List<String> steps() {
        return List.copyOf(steps);
    }

    public synchronized int count() {
        return steps.size();
    }
}

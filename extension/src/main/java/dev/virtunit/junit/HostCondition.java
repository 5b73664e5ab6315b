package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.annotation.Annotation;
import java.util.Optional;

/**
 * The common part of the {@code @EnabledIf...} host conditions: find the annotation on the element JUnit evaluates
 * (a class, a method, or a composed annotation on either) and decide from it; an element without it is enabled.
 * A decision that cannot change during a run ({@link #cachedPerRun()}) is made once per run and kept in the root
 * store, so a class of fifty tests asks libvirt once.
 */
abstract class HostCondition<A extends Annotation> implements ExecutionCondition {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HostCondition.class);

    private final Class<A> annotation;
    final HostFacts facts;

    HostCondition(Class<A> annotation, HostFacts facts) {
        this.annotation = annotation;
        this.facts = facts;
    }

    @Override
    public final ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<A> found = AnnotationSupport.findAnnotation(context.getElement(), annotation);
        if (found.isEmpty()) {
            return ConditionEvaluationResult.enabled("no @" + annotation.getSimpleName() + " here");
        }
        if (!cachedPerRun()) {
            return decide(found.get(), context);
        }
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(
                getClass().getName() + "|" + found.get(), key -> decide(found.get(), context),
                ConditionEvaluationResult.class);
    }

    /** Whether the answer holds for the whole run (hardware, kernel modules), not just this moment (free memory). */
    boolean cachedPerRun() {
        return true;
    }

    abstract ConditionEvaluationResult decide(A found, ExtensionContext context);
}

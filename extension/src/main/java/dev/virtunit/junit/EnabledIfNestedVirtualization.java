package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated class or method only where a guest can itself run KVM guests (nested virtualisation);
 * elsewhere it is skipped with the reason. Needs everything {@link EnabledIfKvm} needs, and the {@code nested}
 * parameter of {@code kvm_intel} or {@code kvm_amd} switched on ({@code Y} or {@code 1} in
 * {@code /sys/module/kvm_intel/parameters/nested}).
 *
 * @since 0.2
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(NestedVirtualizationCondition.class)
public @interface EnabledIfNestedVirtualization {
}

package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated class or method only where Open vSwitch can use its kernel datapath (the {@code openvswitch}
 * kernel module); elsewhere it is skipped with the reason. virtunit itself works with either datapath (it uses the
 * userspace one, {@code datapath_type=netdev}, where the module is missing), so this is for tests of behaviour only
 * the kernel datapath has.
 *
 * <p>Decided from {@code /sys/module/openvswitch} (the module is loaded) or, failing that, a {@code system@}
 * datapath listed by {@code ovs-dpctl dump-dps}.
 *
 * @since 0.2
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(OvsKernelDatapathCondition.class)
public @interface EnabledIfOvsKernelDatapath {
}

package dev.virtunit.junit;

import dev.virtunit.Upstream;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares an {@link Upstream} on a {@code static} field: a network namespace playing the outside world of a NAT
 * test. Name the field in a bridge's {@code natUplink} to masquerade toward it.
 *
 * @since 0.1
 */
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LibvirtExtension.class)
public @interface UpstreamHost {

    /** {@return the uplink subnet (host end .1, upstream .2); empty picks a free /24} */
    String cidr() default "";
}

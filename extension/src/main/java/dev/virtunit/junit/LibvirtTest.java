package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Enables virtunit on a test class: its {@link LibvirtGuest} fields and parameters get live guests. When the host
 * cannot run guests (no libvirt, no permission) the class is skipped with the reason, or fails with
 * {@code virtunit.unavailable=fail}.
 *
 * @since 0.1
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LibvirtExtension.class)
public @interface LibvirtTest {
}

package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated class or method only when the host has memory for the guests it starts; otherwise it is
 * skipped with the amount needed and the amount available, rather than failing half-way when the host starts to
 * swap or QEMU is killed.
 *
 * <p>Decided from {@code MemAvailable} in {@code /proc/meminfo}, at the moment the class or method is about to
 * run. {@link #mibPerGuest()} is what one guest costs the <em>host</em>, which is more than the guest's own memory:
 * under software emulation QEMU adds its translation cache (virtunit limits it to 256 MiB), so a 256 MiB guest
 * costs about 615 MiB.
 *
 * @since 0.2
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(FreeMemoryCondition.class)
public @interface EnabledIfFreeMemory {

    /**
     * How many guests the test runs at the same time.
     *
     * @return the number of guests, at least 1
     */
    int guests();

    /**
     * Host memory per guest, in MiB: the guest's memory plus QEMU's own (about 360 MiB under software emulation).
     *
     * @return MiB of host memory each guest needs
     */
    int mibPerGuest() default 640;
}

package dev.virtunit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated class or method only where KVM really accelerates guests; elsewhere it is skipped and the
 * report says why. Use it for tests that are meaningless or far too slow under software emulation (TCG), such as
 * timing tests or guests with many vCPUs. Guests of other tests fall back to TCG on their own.
 *
 * <p>KVM counts as usable when {@code /dev/kvm} exists and this process may read and write it, the CPU offers
 * hardware virtualisation (on x86: the {@code vmx} or {@code svm} flag), libvirt lists the {@code kvm} domain type,
 * and no earlier run on this host found that KVM boots no guest (virtunit remembers that answer in its cache
 * directory, see {@code virtunit.cache.dir}). A listed KVM is not enough: some hosts, paravirtual ones among them,
 * list KVM and boot nothing with it.
 *
 * <p>With {@code virtunit.libvirt.uri} naming a remote host (since 0.4) that host is judged, not this machine, through
 * the run's lab (started for it if no extension has yet): {@code /dev/kvm} there, its CPU's flags, its libvirt's
 * domain types and the proof remembered for that host; a skip names the host. A remote host that cannot be reached
 * skips too, naming it; settings that cannot work ({@code virtunit.host.*}) fail the condition instead.
 *
 * @since 0.2
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(KvmCondition.class)
public @interface EnabledIfKvm {
}

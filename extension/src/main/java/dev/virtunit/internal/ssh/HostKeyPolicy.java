package dev.virtunit.internal.ssh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which host key a guest's SSH server must present: the one virtunit injected through the seed, one pinned by the
 * test for an image without a seed, or the first one seen ({@link FirstUse}), which then stays required for as long
 * as the policy object lives (a guest keeps one for its whole life); for a machine virtunit did not make (a remote
 * libvirt host), the keys a {@code known_hosts} file lists ({@link KnownHosts}).
 *
 * @since 0.2
 */
public abstract sealed class HostKeyPolicy permits HostKeyPolicy.Known, HostKeyPolicy.FirstUse, HostKeyPolicy.KnownHosts {

    private HostKeyPolicy() {
    }

    /** The key virtunit injected, by its {@code SHA256:...} fingerprint. */
    public static HostKeyPolicy injected(String fingerprint) {
        return new Known(fingerprint, InjectedHostKeyVerifier::new);
    }

    /** A key baked into the image, pinned by its {@code SHA256:...} fingerprint. */
    public static HostKeyPolicy pinned(String fingerprint) {
        return new Known(fingerprint, PinnedHostKeyVerifier::new);
    }

    /** Trust the first key seen and log it; {@code guest} names it in that log line. */
    public static FirstUse trustOnFirstUse(String guest) {
        return new FirstUse(guest);
    }

    /**
     * The keys an OpenSSH {@code known_hosts} file lists for {@code host} on {@code port}: for a machine virtunit did
     * not make, such as a remote libvirt host.
     *
     * @since 0.3
     */
    public static HostKeyPolicy knownHosts(Path file, String host, int port) {
        return new KnownHosts(file, host, port);
    }

    /** The fingerprint that must match, if known before connecting. */
    public abstract Optional<String> fingerprint();

    /** A fresh verifier for one connection attempt. */
    abstract PresentedKeyVerifier newVerifier();

    /** A key known before connecting, by its fingerprint: injected through the seed, or pinned by the test. */
    static final class Known extends HostKeyPolicy {
        private final String fingerprint;
        private final Function<String, PresentedKeyVerifier> verifier;

        private Known(String fingerprint, Function<String, PresentedKeyVerifier> verifier) {
            this.fingerprint = fingerprint;
            this.verifier = verifier;
        }

        @Override
        public Optional<String> fingerprint() {
            return Optional.of(fingerprint);
        }

        @Override
        PresentedKeyVerifier newVerifier() {
            return verifier.apply(fingerprint);
        }
    }

    /** The keys a known_hosts file lists, read anew for each connection attempt. */
    static final class KnownHosts extends HostKeyPolicy {
        private final Path file;
        private final String host;
        private final int port;

        private KnownHosts(Path file, String host, int port) {
            this.file = Objects.requireNonNull(file, "file");
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
        }

        /** Empty: the file may list several keys, and which one the server shows is known only when it does. */
        @Override
        public Optional<String> fingerprint() {
            return Optional.empty();
        }

        @Override
        PresentedKeyVerifier newVerifier() {
            return new KnownHostsVerifier(file, host, port);
        }
    }

    /** The first key seen, remembered. Thread-safe: concurrent first connections agree on one key. */
    public static final class FirstUse extends HostKeyPolicy {
        private static final Logger LOG = LoggerFactory.getLogger(FirstUse.class);

        private final String guest;
        private String trustedType;
        private String trustedFingerprint;

        private FirstUse(String guest) {
            this.guest = guest;
        }

        @Override
        public synchronized Optional<String> fingerprint() {
            return Optional.ofNullable(trustedFingerprint);
        }

        synchronized Optional<String> trustedType() {
            return Optional.ofNullable(trustedType);
        }

        /** {@code ssh-ed25519 SHA256:...}, or a note that nothing is trusted yet. */
        synchronized String trustedDescription() {
            return trustedFingerprint == null ? "no key" : trustedType + " " + trustedFingerprint;
        }

        /** Trusts this key if none is trusted yet (and logs it); otherwise whether it is the trusted one. */
        synchronized boolean acceptFirstOrCompare(String type, String fingerprint) {
            if (trustedFingerprint == null) {
                trustedType = type;
                trustedFingerprint = fingerprint;
                LOG.info("guest {}: trusting its SSH host key {} {} on first use; to pin it, declare hostKey = \"{}\"",
                        guest, type, fingerprint, fingerprint);
                return true;
            }
            return PresentedKeyVerifier.sameFingerprint(fingerprint, trustedFingerprint);
        }

        @Override
        PresentedKeyVerifier newVerifier() {
            return new FirstUseHostKeyVerifier(this);
        }
    }
}

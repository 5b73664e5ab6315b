package dev.virtunit.internal.ssh;

import dev.virtunit.VirtunitException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SshConnection} where no server is needed; logging in again after a restart is in {@link SshjSshDropbearTest}. */
class SshConnectionTest {

    private static final SshKeyPair CLIENT = SshKeyPair.generateEd25519("virtunit@test");

    @Test
    void aClosedConnectionRefusesWithoutTryingToLogIn() {
        // 192.0.2.1 (TEST-NET-1) never answers: a login attempt would end in a connect timeout, not this message.
        SshConnection connection = new SshConnection(SshTarget.of("192.0.2.1", 22, "root", CLIENT,
                CLIENT.sha256Fingerprint()));
        connection.close();

        assertThatThrownBy(connection::connect)
                .isInstanceOf(VirtunitException.class)
                .hasMessage("SSH to root@192.0.2.1:22 was closed; it cannot be used any more");
        assertThatThrownBy(() -> connection.open(client -> client.startSession(), "start a session"))
                .isInstanceOf(VirtunitException.class)
                .hasMessage("SSH to root@192.0.2.1:22 was closed; it cannot be used any more");
    }
}

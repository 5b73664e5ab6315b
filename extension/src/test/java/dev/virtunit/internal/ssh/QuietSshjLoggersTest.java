package dev.virtunit.internal.ssh;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sshj's loggers: INFO, WARN and ERROR arrive at DEBUG, TRACE and DEBUG unchanged, whatever the call's shape. */
class QuietSshjLoggersTest {

    private final List<String> calls = new ArrayList<>();

    /** A logger that records each call as {@code method(args)} and says every level is enabled. */
    private Logger recording() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getName")) {
                        return "net.schmizz.sshj.transport.TransportImpl";
                    }
                    calls.add(method.getName() + (args == null ? "()" : Arrays.toString(args)));
                    return method.getReturnType() == boolean.class ? true : null;
                });
    }

    @Test
    void infoWarnAndErrorAreLoggedAtDebug() {
        Logger quiet = QuietSshjLoggers.demoted(recording());

        quiet.info("Client identity string: {}", "SSH-2.0-SSHJ_0.40.0");
        quiet.warn("Dying because - {}", "Broken pipe");
        quiet.error("Disconnected - {}", "BY_APPLICATION", new RuntimeException("x"));
        quiet.trace("kex");
        quiet.debug("channel");

        assertThat(calls).containsExactly(
                "debug[Client identity string: {}, SSH-2.0-SSHJ_0.40.0]",
                "debug[Dying because - {}, Broken pipe]",
                "debug[Disconnected - {}, BY_APPLICATION, java.lang.RuntimeException: x]",
                "trace[kex]",
                "debug[channel]");
    }

    @Test
    void levelChecksAndLevelArgumentsAreDemotedToo() {
        Logger quiet = QuietSshjLoggers.demoted(recording());

        assertThat(quiet.isInfoEnabled()).isTrue();
        assertThat(quiet.isErrorEnabled()).isTrue();
        quiet.isEnabledForLevel(Level.WARN);
        quiet.isEnabledForLevel(Level.TRACE);

        assertThat(calls).containsExactly("isDebugEnabled()", "isDebugEnabled()", "isEnabledForLevel[DEBUG]",
                "isEnabledForLevel[TRACE]");
        assertThat(quiet.getName()).isEqualTo("net.schmizz.sshj.transport.TransportImpl");
    }

    @Test
    void whatTheLoggerThrowsIsThrownAsItIs() {
        Logger failing = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    throw new IllegalStateException("logger broken");
                });

        assertThatThrownBy(() -> QuietSshjLoggers.demoted(failing).info("x")).isInstanceOf(IllegalStateException.class)
                .hasMessage("logger broken");
    }
}

package dev.virtunit.internal.ssh;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * The loggers sshj gets from us: its own, with every message at INFO, WARN or ERROR logged at DEBUG instead. sshj
 * reports ordinary events at those levels (its identity strings, "Dying because" when a guest reboots under an open
 * connection, a refused connection while readiness knocks), and every failure that matters reaches virtunit as an
 * exception it reports itself. A library cannot set its dependencies' levels without knowing the user's logging
 * binding; sshj asks its {@code Config} for its loggers, so this works with any binding. To see sshj's messages:
 * its loggers ({@code net.schmizz}, {@code com.hierynomus}) at DEBUG.
 */
final class QuietSshjLoggers implements net.schmizz.sshj.common.LoggerFactory {

    private static final Map<String, String> DEMOTED = Map.of(
            "info", "debug", "warn", "debug", "error", "debug",
            "isInfoEnabled", "isDebugEnabled", "isWarnEnabled", "isDebugEnabled", "isErrorEnabled", "isDebugEnabled",
            "atInfo", "atDebug", "atWarn", "atDebug", "atError", "atDebug");

    @Override
    public Logger getLogger(String name) {
        return demoted(org.slf4j.LoggerFactory.getLogger(name));
    }

    @Override
    public Logger getLogger(Class<?> type) {
        return demoted(org.slf4j.LoggerFactory.getLogger(type));
    }

    /** {@code logger}, with INFO, WARN and ERROR turned into DEBUG (TRACE and DEBUG as they are). */
    static Logger demoted(Logger logger) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    Method target = method;
                    String lower = DEMOTED.get(method.getName());
                    if (lower != null) {
                        target = Logger.class.getMethod(lower, method.getParameterTypes());
                    }
                    if (args != null) {
                        for (int i = 0; i < args.length; i++) {
                            // atLevel, isEnabledForLevel, makeLoggingEventBuilder: the same demotion by argument.
                            if (args[i] instanceof Level level && level.toInt() > Level.DEBUG.toInt()) {
                                args[i] = Level.DEBUG;
                            }
                        }
                    }
                    try {
                        return target.invoke(logger, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}

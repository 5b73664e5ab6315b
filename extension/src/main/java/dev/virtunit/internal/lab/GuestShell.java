package dev.virtunit.internal.lab;

import dev.virtunit.observe.ExecResult;

import java.time.Duration;

/** Runs a command in a guest's shell, at most for the time given: {@code guest.ssh()::exec}, or a fake in tests. */
@FunctionalInterface
interface GuestShell {
    ExecResult exec(String command, Duration timeout);
}

package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A command to run to completion inside a sandbox.
 *
 * @param cmd     program and arguments; the program is looked up on the sandbox's PATH
 * @param cwd     absolute working directory, or {@code null} for the sandbox's home ({@code /root})
 * @param env     variables added to (and overriding) the sandbox's environment
 * @param stdin   text given to the command on standard input, or {@code null} for none
 * @param timeout how long the command may run before it is killed; {@link #DEFAULT_TIMEOUT} if {@code null}
 */
public record ExecRequest(List<String> cmd, String cwd, Map<String, String> env, String stdin, Duration timeout) {

    /** Time limit of a command when the caller gives none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Longest time limit a caller may give. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    private static final int MAX_ARGS = 4096;
    private static final int MAX_ARG_LENGTH = 128 * 1024;
    private static final int MAX_STDIN = 16 * 1024 * 1024;

    /** @throws InvalidInputException naming the first field that is malformed */
    public ExecRequest {
        InvalidInputException.check(cmd != null && !cmd.isEmpty(), "cmd", "cmd must be a non-empty array of strings");
        InvalidInputException.check(cmd.size() <= MAX_ARGS, "cmd", "cmd may have at most " + MAX_ARGS + " elements but has " + cmd.size());
        for (int i = 0; i < cmd.size(); i++) {
            String arg = cmd.get(i);
            String where = "cmd[" + i + "]";
            InvalidInputException.check(arg != null, where, where + " must be a string but was null");
            InvalidInputException.check(arg.indexOf('\0') < 0, where, where + " must not contain a NUL character");
            InvalidInputException.check(arg.length() <= MAX_ARG_LENGTH, where, where + " is longer than " + MAX_ARG_LENGTH + " characters");
        }
        InvalidInputException.check(!cmd.getFirst().isEmpty(), "cmd[0]", "cmd[0] must name a program but was empty");
        cmd = List.copyOf(cmd);
        InvalidInputException.check(cwd == null || (cwd.startsWith("/") && cwd.indexOf('\0') < 0 && cwd.length() <= 4096), "cwd",
                "cwd must be an absolute path but was '" + cwd + "'");
        env = Validation.env(env, "env");
        InvalidInputException.check(stdin == null || stdin.length() <= MAX_STDIN, "stdin",
                "stdin must be at most " + MAX_STDIN + " characters");
        timeout = timeout == null ? DEFAULT_TIMEOUT : Validation.positive(timeout, MAX_TIMEOUT, "timeoutSeconds");
    }

    /** This request with {@code base} under its own environment: its variables win where both set one. */
    public ExecRequest withBaseEnv(Map<String, String> base) {
        if (base.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new HashMap<>(base);
        merged.putAll(env);
        return new ExecRequest(cmd, cwd, merged, stdin, timeout);
    }

    /** A command with default working directory, no extra environment, no input and the default timeout. */
    public static ExecRequest of(String... cmd) {
        return new ExecRequest(List.of(cmd), null, null, null, null);
    }
}

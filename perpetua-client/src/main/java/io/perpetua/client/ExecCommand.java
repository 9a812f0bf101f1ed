package io.perpetua.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A command to run in a sandbox and wait for. It runs without a shell (use
 * {@code sh -c "…"} for one), in {@code /root} unless {@code cwd} says otherwise, with the
 * sandbox's environment plus {@code env}.
 *
 * <pre>{@code
 * ExecCommand command = ExecCommand.builder("python3", "-c", "print(input())")
 *         .stdin("hello\n")
 *         .timeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * @param cmd     the program and its arguments
 * @param cwd     the working directory, or null for {@code /root}
 * @param env     environment variables added to the sandbox's own
 * @param stdin   what the command reads on its standard input, or null for nothing
 * @param timeout how long it may run before its process group gets SIGTERM (then SIGKILL two
 *                seconds later), in whole seconds; null for the daemon's default of 60 s
 */
public record ExecCommand(List<String> cmd, String cwd, Map<String, String> env, String stdin, Duration timeout) {

    /**
     * Validates and copies the parts.
     *
     * @throws IllegalArgumentException if {@code cmd} is empty or holds null, {@code env} holds
     *                                  null, or {@code timeout} is not a positive whole number of seconds
     */
    public ExecCommand {
        cmd = Validation.command(cmd);
        env = Validation.strings(env, "env");
        timeout = Validation.wholeSeconds(timeout, "timeout");
    }

    /**
     * The command line alone, with the defaults for everything else.
     *
     * @param cmd the program and its arguments
     * @return a new command
     */
    public static ExecCommand of(String... cmd) {
        return builder(cmd).build();
    }

    /**
     * A builder for the command line {@code cmd}.
     *
     * @param cmd the program and its arguments
     * @return a new builder
     */
    public static Builder builder(String... cmd) {
        return new Builder(Arrays.asList(cmd));
    }

    /**
     * A builder for the command line {@code cmd}.
     *
     * @param cmd the program and its arguments
     * @return a new builder
     */
    public static Builder builder(List<String> cmd) {
        return new Builder(cmd);
    }

    /** The body of {@code POST /exec}: only what is set. */
    Map<String, Object> body() {
        return new RequestBody()
                .set("cmd", cmd)
                .set("cwd", cwd)
                .set("env", env)
                .set("stdin", stdin)
                .set("timeoutSeconds", timeout == null ? null : timeout.toSeconds())
                .fields();
    }

    /** Builds an {@link ExecCommand}; the parts are checked by {@link #build()}. */
    public static final class Builder extends CommandBuilder<Builder> {

        private String stdin;
        private Duration timeout;

        private Builder(List<String> cmd) {
            super(cmd);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets what the command reads on its standard input.
         *
         * @param stdin the text, sent as UTF-8, or null for nothing
         * @return this builder
         */
        public Builder stdin(String stdin) {
            this.stdin = stdin;
            return this;
        }

        /**
         * Sets how long the command may run.
         *
         * @param timeout a positive whole number of seconds (at most a day), or null for 60 s
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Validates the parts and builds the command.
         *
         * @return a new command
         * @throws IllegalArgumentException when a part is invalid, as the constructor says
         */
        public ExecCommand build() {
            return new ExecCommand(cmd, cwd, env, stdin, timeout);
        }
    }
}

package io.perpetua.client;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A background process to start in a sandbox. It keeps its id through standby, hibernation and
 * daemon restarts; its output is kept (16 MiB at most) and read with {@link Process#logs()} or
 * {@link Process#followLogs(long)}.
 *
 * <pre>{@code
 * ProcessCommand server = ProcessCommand.builder("python3", "-m", "http.server")
 *         .name("web")
 *         .keepAlive(true)
 *         .build();
 * }</pre>
 *
 * @param cmd       the program and its arguments, run without a shell
 * @param cwd       the working directory, or null for {@code /root}
 * @param env       environment variables added to the sandbox's own
 * @param keepAlive whether the process keeps the sandbox awake until it exits; without it the
 *                  process is frozen with the sandbox when the idle window passes
 * @param name      a label for people, or null
 */
public record ProcessCommand(List<String> cmd, String cwd, Map<String, String> env, boolean keepAlive, String name) {

    /**
     * Validates and copies the parts.
     *
     * @throws IllegalArgumentException if {@code cmd} is empty or holds null, or {@code env} holds null
     */
    public ProcessCommand {
        cmd = Validation.command(cmd);
        env = Validation.strings(env, "env");
    }

    /**
     * The command line alone, with the defaults for everything else.
     *
     * @param cmd the program and its arguments
     * @return a new command
     */
    public static ProcessCommand of(String... cmd) {
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

    /** The body of {@code POST /processes}: only what is set. */
    Map<String, Object> body() {
        return new RequestBody()
                .set("cmd", cmd)
                .set("cwd", cwd)
                .set("env", env)
                .set("keepAlive", keepAlive ? Boolean.TRUE : null)
                .set("name", name)
                .fields();
    }

    /** Builds a {@link ProcessCommand}; the parts are checked by {@link #build()}. */
    public static final class Builder extends CommandBuilder<Builder> {

        private boolean keepAlive;
        private String name;

        private Builder(List<String> cmd) {
            super(cmd);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets whether the process keeps the sandbox awake until it exits.
         *
         * @param keepAlive true to keep it awake; the default is false
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Sets a label for people.
         *
         * @param name the label, or null
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Validates the parts and builds the command.
         *
         * @return a new command
         * @throws IllegalArgumentException when a part is invalid, as the constructor says
         */
        public ProcessCommand build() {
            return new ProcessCommand(cmd, cwd, env, keepAlive, name);
        }
    }
}

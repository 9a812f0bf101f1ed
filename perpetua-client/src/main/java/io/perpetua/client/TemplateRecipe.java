package io.perpetua.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to build a template ({@link Templates#build(TemplateRecipe)}): a sandbox is made from
 * {@code from} with {@code env}, the {@code setup} commands run in it one by one, the
 * {@code start} commands are left running, and once {@code ready} succeeds (or at once, without
 * it) its whole state is saved as the template. Only the name is required; what is left unset
 * (null, or empty for the lists and the map) is not sent, so the daemon's defaults apply.
 *
 * <pre>{@code
 * TemplateRecipe recipe = TemplateRecipe.builder("web")
 *         .setup("mkdir -p /srv", "echo hi > /srv/index.html")
 *         .start("cd /srv && exec python3 -m http.server 8000")
 *         .ready("python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8000/\")'")
 *         .build();
 * }</pre>
 *
 * @param name         the template's name in the project: 1 to 63 characters of {@code [a-z0-9._-]}, starting with a
 *                     letter or digit, not {@code default}
 * @param from         the template it starts from: {@code default} or a ready template of the project; null for
 *                     {@code default}
 * @param setup        shell commands run in order with {@code bash -lc} in {@code /root}; the build fails at the first
 *                     that fails
 * @param env          environment variables of the build and of the template's sandboxes; never echoed back
 * @param start        shell commands left running in the background, such as a server
 * @param ready        a shell command that succeeds once the environment is warm (a server answers), polled until it
 *                     does; or null to save the state as soon as the start commands were started
 * @param readyTimeout how long {@code ready} may take to succeed, in whole seconds up to {@link #MAX_TIMEOUT};
 *                     null for the daemon's default (2 min)
 * @param setupTimeout how long each setup command may run, likewise; null for the daemon's default (30 min)
 * @param memoryMb     memory of the template's sandboxes in MiB, or null for the daemon's default; not with another
 *                     template as {@code from}, whose resources it has
 * @param cpus         CPUs of the template's sandboxes, likewise
 * @param diskMb       size of the writable disk of the template's sandboxes in MiB, likewise
 */
public record TemplateRecipe(String name, String from, List<String> setup, Map<String, String> env, List<String> start, String ready,
                             Duration readyTimeout, Duration setupTimeout, Integer memoryMb, Double cpus, Integer diskMb) {

    /** The name of the built-in template, the root every template starts from in the end. */
    public static final String DEFAULT = "default";
    /** The most setup or start commands a recipe may have. */
    public static final int MAX_COMMANDS = 100;
    /** The longest command, in characters. */
    public static final int MAX_COMMAND_LENGTH = 16 * 1024;
    /** The longest {@code readyTimeout} or {@code setupTimeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(2);

    /**
     * Validates and copies the parts.
     *
     * @throws IllegalArgumentException if the name or {@code from} cannot name a template, the name is {@code default}, a
     *                                  command is blank or too long or there are too many, a timeout is not a whole
     *                                  number of seconds from 1 to {@link #MAX_TIMEOUT}, a resource is not positive, a
     *                                  resource is given with another template as {@code from}, or {@code env} holds null
     */
    public TemplateRecipe {
        Validation.templateName(name, "name");
        if (name.equals(DEFAULT)) {
            throw new IllegalArgumentException("name must not be '" + DEFAULT + "', the built-in template's name");
        }
        if (from != null) {
            Validation.templateName(from, "from");
        }
        setup = commands(setup, "setup");
        start = commands(start, "start");
        env = Validation.strings(env, "env");
        if (ready != null) {
            command(ready, "ready");
        }
        readyTimeout = timeout(readyTimeout, "readyTimeout");
        setupTimeout = timeout(setupTimeout, "setupTimeout");
        if (memoryMb != null && memoryMb <= 0) {
            throw new IllegalArgumentException("memoryMb must be positive but was " + memoryMb);
        }
        if (cpus != null && !(cpus > 0 && Double.isFinite(cpus))) {
            throw new IllegalArgumentException("cpus must be a positive number but was " + cpus);
        }
        if (diskMb != null && diskMb <= 0) {
            throw new IllegalArgumentException("diskMb must be positive but was " + diskMb);
        }
        if (from != null && !from.equals(DEFAULT) && (memoryMb != null || cpus != null || diskMb != null)) {
            throw new IllegalArgumentException("memoryMb, cpus and diskMb cannot be given with from '" + from
                    + "': a template made from another has its resources");
        }
    }

    /**
     * A builder of a recipe for the template {@code name}, with nothing else set.
     *
     * @param name the template's name, checked by {@link Builder#build()}
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A builder that starts from this recipe.
     *
     * @return a new builder holding every part of this recipe
     */
    public Builder toBuilder() {
        Builder builder = new Builder(name).from(from).ready(ready).readyTimeout(readyTimeout).setupTimeout(setupTimeout)
                .memoryMb(memoryMb).cpus(cpus).diskMb(diskMb);
        return builder.setup(setup).start(start).env(env);
    }

    /** The body of {@code POST /v1/templates}: the name, and only what else is set. */
    Map<String, Object> body() {
        return new RequestBody()
                .set("name", name)
                .set("from", from)
                .set("setup", setup)
                .set("env", env)
                .set("start", start)
                .set("ready", ready)
                .set("readyTimeoutSeconds", readyTimeout == null ? null : readyTimeout.toSeconds())
                .set("setupTimeoutSeconds", setupTimeout == null ? null : setupTimeout.toSeconds())
                .set("memoryMb", memoryMb)
                .set("cpus", cpus)
                .set("diskMb", diskMb)
                .fields();
    }

    private static List<String> commands(List<String> commands, String field) {
        if (commands == null) {
            return List.of();
        }
        if (commands.size() > MAX_COMMANDS) {
            throw new IllegalArgumentException(field + " may have at most " + MAX_COMMANDS + " commands but had " + commands.size());
        }
        for (int i = 0; i < commands.size(); i++) {
            command(commands.get(i), field + "[" + i + "]");
        }
        return List.copyOf(commands);
    }

    private static void command(String command, String field) {
        Validation.notBlank(command, field);
        if (command.length() > MAX_COMMAND_LENGTH) {
            throw new IllegalArgumentException(field + " must have at most " + MAX_COMMAND_LENGTH + " characters but had "
                    + command.length());
        }
    }

    private static Duration timeout(Duration timeout, String field) {
        Validation.wholeSeconds(timeout, field);
        if (timeout != null && timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_TIMEOUT.toSeconds() + " seconds but was "
                    + timeout.toSeconds());
        }
        return timeout;
    }

    /** Builds a {@link TemplateRecipe}; the parts are checked by {@link #build()}. */
    public static final class Builder {

        private final String name;
        private String from;
        private final List<String> setup = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> start = new ArrayList<>();
        private String ready;
        private Duration readyTimeout;
        private Duration setupTimeout;
        private Integer memoryMb;
        private Double cpus;
        private Integer diskMb;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the template to start from.
         *
         * @param from {@code default} or a ready template of the project; null for {@code default}
         * @return this builder
         */
        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /**
         * Adds setup commands, run after those added before.
         *
         * @param commands shell commands, each run with {@code bash -lc} in {@code /root}
         * @return this builder
         */
        public Builder setup(String... commands) {
            return setup(Arrays.asList(commands));
        }

        /**
         * Adds setup commands, run after those added before.
         *
         * @param commands shell commands, each run with {@code bash -lc} in {@code /root}
         * @return this builder
         */
        public Builder setup(List<String> commands) {
            setup.addAll(Objects.requireNonNull(commands, "commands"));
            return this;
        }

        /**
         * Adds commands left running in the background, such as a server.
         *
         * @param commands shell commands, each run with {@code bash -lc} in {@code /root}
         * @return this builder
         */
        public Builder start(String... commands) {
            return start(Arrays.asList(commands));
        }

        /**
         * Adds commands left running in the background, such as a server.
         *
         * @param commands shell commands, each run with {@code bash -lc} in {@code /root}
         * @return this builder
         */
        public Builder start(List<String> commands) {
            start.addAll(Objects.requireNonNull(commands, "commands"));
            return this;
        }

        /**
         * Adds an environment variable of the build and of the template's sandboxes.
         *
         * @param name  the variable's name
         * @param value its value
         * @return this builder
         */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /**
         * Adds environment variables of the build and of the template's sandboxes.
         *
         * @param variables names and values, added in their iteration order
         * @return this builder
         */
        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /**
         * Sets the command that tells the environment is warm.
         *
         * @param ready a shell command that succeeds once it is, or null to save the state at once
         * @return this builder
         */
        public Builder ready(String ready) {
            this.ready = ready;
            return this;
        }

        /**
         * Sets how long the ready command may take to succeed.
         *
         * @param readyTimeout whole seconds up to {@link #MAX_TIMEOUT}, or null for the daemon's default (2 min)
         * @return this builder
         */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = readyTimeout;
            return this;
        }

        /**
         * Sets how long each setup command may run.
         *
         * @param setupTimeout whole seconds up to {@link #MAX_TIMEOUT}, or null for the daemon's default (30 min)
         * @return this builder
         */
        public Builder setupTimeout(Duration setupTimeout) {
            this.setupTimeout = setupTimeout;
            return this;
        }

        /**
         * Sets the memory of the template's sandboxes.
         *
         * @param memoryMb MiB, or null for the daemon's default
         * @return this builder
         */
        public Builder memoryMb(Integer memoryMb) {
            this.memoryMb = memoryMb;
            return this;
        }

        /**
         * Sets the CPUs of the template's sandboxes.
         *
         * @param cpus CPUs, such as 0.5 or 2, or null for the daemon's default
         * @return this builder
         */
        public Builder cpus(Double cpus) {
            this.cpus = cpus;
            return this;
        }

        /**
         * Sets the size of the writable disk of the template's sandboxes.
         *
         * @param diskMb MiB, or null for the daemon's default
         * @return this builder
         */
        public Builder diskMb(Integer diskMb) {
            this.diskMb = diskMb;
            return this;
        }

        /**
         * Validates the parts and builds the recipe.
         *
         * @return a new recipe
         * @throws IllegalArgumentException when a part is malformed, as the constructor says
         */
        public TemplateRecipe build() {
            return new TemplateRecipe(name, from, setup, env, start, ready, readyTimeout, setupTimeout, memoryMb, cpus, diskMb);
        }
    }
}

package io.perpetua.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the builders of {@link ExecCommand} and {@link ProcessCommand} share: the command line,
 * its working directory and its environment. Each setter returns the concrete builder.
 *
 * @param <B> the concrete builder
 */
abstract class CommandBuilder<B extends CommandBuilder<B>> {

    final List<String> cmd;
    String cwd;
    final Map<String, String> env = new LinkedHashMap<>();

    CommandBuilder(List<String> cmd) {
        this.cmd = cmd;
    }

    /** This builder, as its concrete type. */
    abstract B self();

    /**
     * Sets the working directory.
     *
     * @param cwd an absolute path in the sandbox, or null for {@code /root}
     * @return this builder
     */
    public B cwd(String cwd) {
        this.cwd = cwd;
        return self();
    }

    /**
     * Adds an environment variable.
     *
     * @param name  the variable's name
     * @param value its value
     * @return this builder
     */
    public B env(String name, String value) {
        env.put(name, value);
        return self();
    }

    /**
     * Adds environment variables.
     *
     * @param variables names and values, added in their iteration order
     * @return this builder
     */
    public B env(Map<String, String> variables) {
        env.putAll(variables);
        return self();
    }
}

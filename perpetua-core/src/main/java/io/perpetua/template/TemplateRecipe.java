package io.perpetua.template;

import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a template is built: a sandbox is made from {@code from} (the default root, or another
 * template of the project), given {@code env}, the {@code setup} commands are run in it one by
 * one, the {@code start} commands are left running in the background, and once {@code ready}
 * succeeds (or at once, without it) its whole state is captured.
 *
 * @param from         the template it starts from; {@code default} unless given
 * @param setup        shell commands run in order with {@code bash -lc}; the build fails at the first that fails
 * @param env          environment of the template's sandboxes
 * @param start        shell commands left running in the background, such as a server
 * @param ready        a shell command that succeeds once the environment is warm (a server answers), or null
 * @param readyTimeout how long {@code ready} may take to succeed
 * @param setupTimeout how long each setup command may run
 * @param memoryMb     memory of the template's sandboxes, or null for the default (or {@code from}'s)
 * @param cpus         CPUs of the template's sandboxes, or null likewise
 * @param diskMb       disk of the template's sandboxes, or null likewise
 */
public record TemplateRecipe(String from, List<String> setup, Map<String, String> env, List<String> start, String ready,
                             Duration readyTimeout, Duration setupTimeout, Integer memoryMb, Double cpus, Integer diskMb) {

    /** The most setup or start commands a recipe may have. */
    public static final int MAX_COMMANDS = 100;
    /** The longest command. */
    public static final int MAX_COMMAND_LENGTH = 16 * 1024;
    /** The longest a setup command or the wait for ready may take. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(2);
    private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** @throws InvalidInputException naming the first field that is malformed */
    public TemplateRecipe {
        from = from == null ? Template.DEFAULT_ROOT : from;
        requireName(from, "from");
        setup = commands(setup, "setup");
        start = commands(start, "start");
        env = new SandboxSpec(null, null, null, env, null, memoryMb, cpus, diskMb, null, null, null).env();
        InvalidInputException.check(ready == null || (!ready.isBlank() && ready.length() <= MAX_COMMAND_LENGTH), "ready",
                "ready must be a command of 1 to " + MAX_COMMAND_LENGTH + " characters");
        readyTimeout = timeout(readyTimeout, DEFAULT_READY_TIMEOUT, "readyTimeoutSeconds");
        setupTimeout = timeout(setupTimeout, DEFAULT_SETUP_TIMEOUT, "setupTimeoutSeconds");
    }

    /**
     * @throws InvalidInputException unless {@code name} can name a template
     */
    public static void requireName(String name, String field) {
        InvalidInputException.check(name != null && NAME.matcher(name).matches(), field,
                field + " must be 1-63 characters of [a-z0-9._-], starting with a letter or digit, but was '" + name + "'");
    }

    private static List<String> commands(List<String> commands, String field) {
        if (commands == null) {
            return List.of();
        }
        InvalidInputException.check(commands.size() <= MAX_COMMANDS, field, field + " may have at most " + MAX_COMMANDS + " commands");
        for (int i = 0; i < commands.size(); i++) {
            String command = commands.get(i);
            InvalidInputException.check(command != null && !command.isBlank() && command.length() <= MAX_COMMAND_LENGTH,
                    field + "[" + i + "]", field + "[" + i + "] must be a command of 1 to " + MAX_COMMAND_LENGTH + " characters");
        }
        return List.copyOf(commands);
    }

    private static Duration timeout(Duration value, Duration fallback, String field) {
        if (value == null) {
            return fallback;
        }
        InvalidInputException.check(value.isPositive() && value.compareTo(MAX_TIMEOUT) <= 0, field,
                field + " must be between 1 and " + MAX_TIMEOUT.toSeconds() + " but was " + value.toSeconds());
        return value;
    }

    /** Whether it builds on the default root rather than on another template. */
    public boolean fromDefault() {
        return Objects.equals(from, Template.DEFAULT_ROOT);
    }
}

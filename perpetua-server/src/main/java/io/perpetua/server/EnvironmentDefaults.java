package io.perpetua.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a server option that the command line leaves out takes its value from: the environment
 * variable named after it ({@code PERPETUA_DATA_DIR} for {@code --data-dir}) if it is set and not
 * blank, else the option's default. The environment is given rather than read from the process,
 * so that tests can set variables.
 *
 * @param env the environment variables
 */
record EnvironmentDefaults(Map<String, String> env) implements IDefaultValueProvider {

    EnvironmentDefaults {
        Objects.requireNonNull(env, "env");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !hasVariable(option)) {
            return null;
        }
        String value = env.get(variable(option));
        // Picocli expands ${...} in what a provider returns; "$$" keeps a '$' of the value as it is.
        return value == null || value.isBlank() ? null : value.replace("$", "$$");
    }

    /** The variable that sets {@code option}. */
    static String variable(OptionSpec option) {
        return "PERPETUA_" + option.longestName().replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Help with, under each option's description, the variable that sets it and its default. */
    static IHelpFactory help() {
        return (command, colors) -> new Help(command, colors) {
            @Override
            public IOptionRenderer createDefaultOptionRenderer() {
                IOptionRenderer standard = super.createDefaultOptionRenderer();
                return (option, labels, scheme) -> withVariable(standard.render(option, labels, scheme), option, scheme);
            }
        };
    }

    /** Whether {@code option} is a setting; {@code --help} and {@code --version} are not. */
    private static boolean hasVariable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }

    private static Text[][] withVariable(Text[][] rows, OptionSpec option, ColorScheme scheme) {
        if (!hasVariable(option)) {
            return rows;
        }
        String fallback = option.defaultValue();
        Text[] line = new Text[rows[0].length];
        Arrays.fill(line, scheme.text(""));
        line[line.length - 1] = scheme.text(variable(option) + (fallback == null ? ", no default" : ", default " + fallback));
        Text[][] all = Arrays.copyOf(rows, rows.length + 1);
        all[rows.length] = line;
        return all;
    }
}

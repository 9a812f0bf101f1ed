package io.perpetua.cli;

import io.perpetua.client.ConflictException;
import io.perpetua.client.Perpetua;
import io.perpetua.client.TemplateInfo;
import io.perpetua.client.TemplateRecipe;
import io.perpetua.client.TemplateState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code perpetua template}: builds templates (prepared environments captured whole, with their
 * servers running, that sandboxes start from), lists, shows and deletes them. Sandboxes are made
 * from one with {@code sandbox create --template NAME}.
 */
@Command(name = "template",
        description = "Builds templates: environments prepared by a recipe and saved whole, with their servers running, "
                + "that sandboxes start from ('sandbox create --template NAME'); lists, shows and deletes them.")
final class TemplateCommand {

    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new TemplateCommand())
                .addSubcommand(new Build(terminal))
                .addSubcommand(new ListTemplates(terminal))
                .addSubcommand(new Get(terminal))
                .addSubcommand(new Delete(terminal));
    }

    /** The templates as a table, or as a JSON array. */
    private static void print(Terminal terminal, OutputOption output, List<TemplateInfo> templates) {
        if (output.json()) {
            terminal.printJson(templates.stream().map(JsonViews::template).toList());
            return;
        }
        Table table = new Table("NAME", "STATE", "FROM", "SNAPSHOT", "CREATED");
        for (TemplateInfo template : templates) {
            table.row(template.name(), template.state().apiValue(), template.from(), template.snapshotId(),
                    Table.time(template.createdAt()));
        }
        terminal.out().print(table.render());
    }

    /** The build log, if there is one, whole, under a line that says whose it is. */
    private static void printLog(PrintStream stream, TemplateInfo template) {
        String log = template.buildLog();
        if (!log.isEmpty()) {
            stream.println("build log of template " + template.name() + ":");
            stream.print(log.endsWith("\n") ? log : log + "\n");
        }
    }

    /**
     * By default waits for the build, showing how long it has taken on standard error, and prints
     * the name once it is ready; a failed build prints its log and reason there and exits 1.
     */
    @Command(name = "build", description = {"Builds a template, waits until it is ready and prints its name.",
            "A sandbox made from --from runs the --setup commands in order, leaves the --start commands running, and once "
                    + "--ready succeeds is saved whole as the template. Interrupting the wait does not stop the build. "
                    + "A failed build prints its build log and why, and exits 1."})
    static final class Build implements Callable<Integer> {

        /** How long {@code build} waits without {@code --wait-timeout}: as long as the build takes. */
        private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "NAME", description = "The template's name: 1 to 63 characters of [a-z0-9._-], "
                + "starting with a letter or digit.")
        private String name;

        @Option(names = "--from", paramLabel = "TEMPLATE",
                description = "Build on this ready template of the project, with its resources (default: default).")
        private String from;

        @Option(names = "--setup", paramLabel = "CMD",
                description = "Shell command run in the build (bash -lc, in /root), in the order given (repeatable); "
                        + "the build fails at the first that fails.")
        private List<String> setup;

        @Option(names = "--start", paramLabel = "CMD",
                description = "Shell command left running in the template, such as a server (repeatable).")
        private List<String> start;

        @Option(names = "--ready", paramLabel = "CMD",
                description = "Shell command that succeeds once the environment is warm, such as a server answering; "
                        + "tried until it does before the template is saved.")
        private String ready;

        @Option(names = "--env", paramLabel = "K=V",
                description = "Environment variable of the build and of the template's sandboxes (repeatable).")
        private Map<String, String> env;

        @Option(names = "--ready-timeout", paramLabel = "SECONDS",
                description = "How long --ready may take to succeed (default: 120).")
        private Long readyTimeoutSeconds;

        @Option(names = "--setup-timeout", paramLabel = "SECONDS",
                description = "How long each --setup command may run (default: 1800).")
        private Long setupTimeoutSeconds;

        @Option(names = "--memory", paramLabel = "MB", description = "Memory of the template's sandboxes in MiB.")
        private Integer memoryMb;

        @Option(names = "--cpus", paramLabel = "N", description = "CPUs of the template's sandboxes, such as 0.5 or 2.")
        private Double cpus;

        @Option(names = "--disk", paramLabel = "MB", description = "Size of the writable disk of the template's sandboxes in MiB.")
        private Integer diskMb;

        @Option(names = "--no-wait", description = "Print the name as soon as the build has started; "
                + "'template get NAME' tells how it goes.")
        private boolean noWait;

        @Option(names = "--wait-timeout", paramLabel = "SECONDS",
                description = "Stop waiting after this long and exit 1; the build goes on (default: wait until it ends).")
        private Long waitTimeoutSeconds;

        @Option(names = {"-q", "--quiet"}, description = "Do not show how long the build has taken.")
        private boolean quiet;

        @Spec
        private CommandSpec command;

        private final Terminal terminal;

        Build(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            Duration waitTimeout = waitTimeout();
            TemplateRecipe recipe = recipe();
            TemplateInfo template;
            try (Perpetua client = api.connect(terminal.env())) {
                template = client.templates().build(recipe);
                if (!noWait) {
                    template = await(client, new BuildProgress(terminal.err(), name, quiet), waitTimeout);
                }
            }
            if (output.json()) {
                terminal.printJson(JsonViews.template(template));
            }
            if (template.state() == TemplateState.FAILED) {
                printLog(terminal.err(), template);
                terminal.fail("template '" + template.name() + "' failed to build: " + template.failureReason());
                return 1;
            }
            if (!output.json()) {
                terminal.out().println(template.name());
            }
            return 0;
        }

        /** Waits for the build to end; answers the template ready, or failed. */
        private TemplateInfo await(Perpetua client, BuildProgress progress, Duration waitTimeout) {
            try {
                return client.templates().awaitReady(name, waitTimeout, progress);
            } catch (ConflictException e) {
                if (e.code().equals("template_failed") && progress.last() != null) {
                    return progress.last();
                }
                throw e;
            } finally {
                progress.done();
            }
        }

        private TemplateRecipe recipe() {
            return TemplateRecipe.builder(name)
                    .from(from)
                    .setup(setup == null ? List.of() : setup)
                    .start(start == null ? List.of() : start)
                    .ready(ready)
                    .env(env == null ? Map.of() : env)
                    .readyTimeout(readyTimeoutSeconds == null ? null : Duration.ofSeconds(readyTimeoutSeconds))
                    .setupTimeout(setupTimeoutSeconds == null ? null : Duration.ofSeconds(setupTimeoutSeconds))
                    .memoryMb(memoryMb)
                    .cpus(cpus)
                    .diskMb(diskMb)
                    .build();
        }

        private Duration waitTimeout() {
            if (waitTimeoutSeconds == null) {
                return FOREVER;
            }
            if (noWait) {
                throw new ParameterException(command.commandLine(), "--wait-timeout goes without --no-wait");
            }
            if (waitTimeoutSeconds <= 0) {
                throw new ParameterException(command.commandLine(), "--wait-timeout must be positive but was " + waitTimeoutSeconds);
            }
            return Duration.ofSeconds(waitTimeoutSeconds);
        }
    }

    @Command(name = "list", description = "Lists the project's templates, oldest first, in whatever state.")
    static final class ListTemplates implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        private final Terminal terminal;

        ListTemplates(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            List<TemplateInfo> templates;
            try (Perpetua client = api.connect(terminal.env())) {
                templates = client.templates().list();
            }
            print(terminal, output, templates);
            return 0;
        }
    }

    /** One field a line, the lists' items one a line under each other, then the build log if asked for. */
    @Command(name = "get", description = "Shows a template: its state, snapshot, why its build failed, and its recipe.")
    static final class Get implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "NAME", description = "The template.")
        private String name;

        @Option(names = "--log", description = "Print its build log too (in JSON it always is).")
        private boolean log;

        private final Terminal terminal;

        Get(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            TemplateInfo template;
            try (Perpetua client = api.connect(terminal.env())) {
                template = client.templates().get(name);
            }
            if (output.json()) {
                terminal.printJson(JsonViews.template(template));
                return 0;
            }
            PrintStream out = terminal.out();
            field(out, "name", List.of(template.name()));
            field(out, "id", List.of(template.id()));
            field(out, "state", List.of(template.state().apiValue()));
            field(out, "snapshot", optional(template.snapshotId()));
            field(out, "warm", List.of(template.warmCopies() + (template.warmCopies() == 1 ? " copy" : " copies") + " ready"));
            field(out, "reason", optional(template.failureReason()));
            field(out, "from", List.of(template.from()));
            if (template.image() != null) {
                field(out, "image", List.of(template.image()));
            }
            field(out, "setup", template.setup());
            field(out, "start", template.start());
            field(out, "ready", optional(template.ready()));
            field(out, "env", template.envNames().isEmpty() ? List.of() : List.of(String.join(" ", template.envNames())));
            field(out, "created", List.of(Table.time(template.createdAt())));
            field(out, "changed", List.of(Table.time(template.stateChangedAt())));
            if (log) {
                printLog(out, template);
            }
            return 0;
        }

        private static List<String> optional(String value) {
            return value == null ? List.of() : List.of(value);
        }

        /** {@code label:} and the first value, the others under it; {@code -} for none. */
        private static void field(PrintStream out, String label, List<String> values) {
            String indent = " ".repeat(10);
            String first = (label + ":" + indent).substring(0, indent.length());
            if (values.isEmpty()) {
                out.println(first + "-");
                return;
            }
            for (int i = 0; i < values.size(); i++) {
                out.println((i == 0 ? first : indent) + values.get(i));
            }
        }
    }

    /** Like {@code rm}: goes on past a template it cannot delete and exits 1 at the end. */
    @Command(name = "delete", description = "Deletes templates and their saved state; a build in progress is abandoned. "
            + "Sandboxes made from them are not affected.")
    static final class Delete implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "The templates.")
        private List<String> names;

        private final Terminal terminal;

        Delete(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            return Deletions.deleteEach(terminal, api, output, names, (client, name) -> client.templates().delete(name));
        }
    }
}

package io.perpetua.cli;

import io.perpetua.client.Drives;
import io.perpetua.client.Perpetua;
import io.perpetua.client.VolumeInfo;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua volume} and {@code perpetua drive}: make, list, show and delete the project's
 * volumes (file systems written by one sandbox at a time) and drives (written by many at once),
 * which outlive the sandboxes that mount them. One class, as the two differ only in their words,
 * their calls and whether a size must be given. They are mounted with
 * {@code sandbox create --volume/--drive} and {@code sandbox mount-drive}.
 */
@Command
final class VolumeCommand {

    /** What the group manages: the words and calls that differ between volumes and drives. */
    enum Kind {
        VOLUME("volume", "Makes, lists, shows and deletes volumes: file systems that outlive the sandboxes that mount them, "
                + "written by one sandbox at a time, read by any number ('sandbox create --volume " + MountArgument.FORMAT + "')."),
        DRIVE("drive", "Makes, lists, shows and deletes drives: file systems that outlive the sandboxes that mount them, "
                + "written by any number of sandboxes at once ('sandbox create --drive " + MountArgument.FORMAT
                + "', 'sandbox mount-drive').");

        private final String word;
        private final String description;

        Kind(String word, String description) {
            this.word = word;
            this.description = description;
        }

        VolumeInfo create(Perpetua client, String name, Integer sizeMb) {
            return switch (this) {
                case VOLUME -> client.volumes().create(name, sizeMb);
                case DRIVE -> sizeMb == null ? client.drives().create(name) : client.drives().create(name, sizeMb);
            };
        }

        List<VolumeInfo> list(Perpetua client) {
            return this == VOLUME ? client.volumes().list() : client.drives().list();
        }

        VolumeInfo get(Perpetua client, String idOrName) {
            return this == VOLUME ? client.volumes().get(idOrName) : client.drives().get(idOrName);
        }

        void delete(Perpetua client, String idOrName) {
            if (this == VOLUME) {
                client.volumes().delete(idOrName);
            } else {
                client.drives().delete(idOrName);
            }
        }
    }

    static CommandLine commandLine(Terminal terminal, Kind kind) {
        CommandLine group = new CommandLine(new VolumeCommand());
        group.getCommandSpec().usageMessage().description(kind.description);
        return group
                .addSubcommand(kind == Kind.VOLUME ? new CreateVolume(terminal) : new CreateDrive(terminal))
                .addSubcommand(describe(new CommandLine(new ListVolumes(terminal, kind)),
                        "Lists the project's " + kind.word + "s, oldest first, with the sandboxes that mount them."))
                .addSubcommand(describe(new CommandLine(new Get(terminal, kind)),
                        "Shows a " + kind.word + ", with the sandboxes that mount it."))
                .addSubcommand(describe(new CommandLine(new Delete(terminal, kind)),
                        "Deletes " + kind.word + "s and every file in them; one that a live sandbox mounts is kept."));
    }

    private static CommandLine describe(CommandLine command, String description) {
        command.getCommandSpec().usageMessage().description(description);
        return command;
    }

    /** The volumes or drives as a table, or as a JSON array. */
    private static void print(Terminal terminal, OutputOption output, List<VolumeInfo> volumes) {
        if (output.json()) {
            terminal.printJson(volumes.stream().map(JsonViews::volume).toList());
            return;
        }
        Table table = new Table("ID", "NAME", "SIZE MB", "USED BYTES", "CREATED", "MOUNTED IN");
        for (VolumeInfo volume : volumes) {
            table.row(volume.id(), volume.name(), Integer.toString(volume.sizeMb()), Long.toString(volume.usedBytes()),
                    Table.time(volume.createdAt()), mountedIn(volume));
        }
        terminal.out().print(table.render());
    }

    /** {@code SANDBOX:/PATH[:ro]} for each sandbox that mounts it, or null for none. */
    private static String mountedIn(VolumeInfo volume) {
        if (volume.mountedIn().isEmpty()) {
            return null;
        }
        return volume.mountedIn().stream()
                .map(holder -> holder.sandboxId() + ":" + holder.mountPath() + (holder.readOnly() ? ":ro" : ""))
                .collect(Collectors.joining(","));
    }

    /** Makes one and prints its id, so that {@code ID=$(perpetua volume create ...)} works; the size is the subclass's. */
    abstract static class Create implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "NAME", description = "Its name in the project: 1 to 63 characters of [a-z0-9_-], "
                + "starting with a letter or digit.")
        private String name;

        private final Terminal terminal;
        private final Kind kind;

        Create(Terminal terminal, Kind kind) {
            this.terminal = terminal;
            this.kind = kind;
        }

        /** The size asked for in MiB, or null for the daemon's default. */
        abstract Integer sizeMb();

        @Override
        public Integer call() {
            VolumeInfo made;
            try (Perpetua client = api.connect(terminal.env())) {
                made = kind.create(client, name, sizeMb());
            }
            if (output.json()) {
                terminal.printJson(JsonViews.volume(made));
            } else {
                terminal.out().println(made.id());
            }
            return 0;
        }
    }

    @Command(name = "create", description = "Makes a volume, empty and mounted nowhere, and prints its id.")
    static final class CreateVolume extends Create {

        @Option(names = "--size-mb", paramLabel = "MB", required = true,
                description = "Size of its file system in MiB, " + VolumeInfo.MIN_SIZE_MB + " to " + VolumeInfo.MAX_SIZE_MB
                        + "; the host's disk holds only what is written.")
        private Integer sizeMb;

        CreateVolume(Terminal terminal) {
            super(terminal, Kind.VOLUME);
        }

        @Override
        Integer sizeMb() {
            return sizeMb;
        }
    }

    @Command(name = "create", description = "Makes a drive, empty and mounted nowhere, and prints its id.")
    static final class CreateDrive extends Create {

        @Option(names = "--size-mb", paramLabel = "MB",
                description = "Size of its file system in MiB, " + VolumeInfo.MIN_SIZE_MB + " to " + VolumeInfo.MAX_SIZE_MB
                        + " (default: " + Drives.DEFAULT_SIZE_MB + "); the host's disk holds only what is written.")
        private Integer sizeMb;

        CreateDrive(Terminal terminal) {
            super(terminal, Kind.DRIVE);
        }

        @Override
        Integer sizeMb() {
            return sizeMb;
        }
    }

    @Command(name = "list")
    static final class ListVolumes implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        private final Terminal terminal;
        private final Kind kind;

        ListVolumes(Terminal terminal, Kind kind) {
            this.terminal = terminal;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            List<VolumeInfo> volumes;
            try (Perpetua client = api.connect(terminal.env())) {
                volumes = kind.list(client);
            }
            print(terminal, output, volumes);
            return 0;
        }
    }

    @Command(name = "get")
    static final class Get implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(paramLabel = "ID|NAME", description = "Its id or name.")
        private String idOrName;

        private final Terminal terminal;
        private final Kind kind;

        Get(Terminal terminal, Kind kind) {
            this.terminal = terminal;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            VolumeInfo volume;
            try (Perpetua client = api.connect(terminal.env())) {
                volume = kind.get(client, idOrName);
            }
            if (output.json()) {
                terminal.printJson(JsonViews.volume(volume));
            } else {
                print(terminal, output, List.of(volume));
            }
            return 0;
        }
    }

    /** Like {@code rm}: goes on past one it cannot delete (one a sandbox mounts, say) and exits 1 at the end. */
    @Command(name = "delete")
    static final class Delete implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Parameters(arity = "1..*", paramLabel = "ID|NAME", description = "Their ids or names.")
        private List<String> idsOrNames;

        private final Terminal terminal;
        private final Kind kind;

        Delete(Terminal terminal, Kind kind) {
            this.terminal = terminal;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            return Deletions.deleteEach(terminal, api, output, idsOrNames, kind::delete);
        }
    }
}

package io.perpetua.cli;

import io.perpetua.client.MountInfo;
import io.perpetua.client.Perpetua;
import io.perpetua.client.SandboxInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code perpetua sandbox mount-drive}: mounts a drive into a sandbox that runs, then shows what the sandbox mounts. */
@Command(name = "mount-drive", description = "Mounts a drive into a sandbox at once, without a restart (a sleeping one is woken), "
        + "for the sandbox's life. Prints what the sandbox mounts.")
final class MountDriveCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1", paramLabel = "DRIVE:/PATH[:ro]", converter = MountArgument.Converter.class,
            description = "The drive (its name or id), where it appears in the sandbox, and :ro to mount it read-only.")
    private MountArgument drive;

    private final Terminal terminal;

    MountDriveCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        SandboxInfo sandbox;
        try (Perpetua client = api.connect(terminal.env())) {
            sandbox = client.sandboxes().handle(id).mountDrive(drive.idOrName(), drive.mountPath(), drive.readOnly());
        }
        if (output.json()) {
            terminal.printJson(JsonViews.sandbox(sandbox));
            return 0;
        }
        Table table = new Table("KIND", "NAME", "ID", "MODE", "PATH");
        for (MountInfo mount : sandbox.mounts()) {
            table.row(mount.kind() == null ? null : mount.kind().apiValue(), mount.name(), mount.id(), mount.readOnly() ? "ro" : "rw",
                    mount.mountPath());
        }
        terminal.out().print(table.render());
        return 0;
    }
}

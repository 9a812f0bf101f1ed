package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.volume.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How volumes reach a sandbox. runsc cannot add a mount to a sandbox that runs, nor to one it
 * restores (a restore wants exactly the mounts of the checkpoint), so every sandbox's bundle has
 * the same one: its directory {@code mounts/}, a small shared tmpfs (see {@link Mounts#share}), bound at
 * {@value #INSIDE}. A volume is bound on the host into {@code mounts/<volume id>}, which then
 * appears inside at once, and the sandbox's own kernel binds that at the path the user chose
 * (a mount of the sandbox's kernel, part of what a checkpoint saves). What is mounted is
 * recorded in {@code volumes.list}, so that the host's side is made again before any restore.
 */
final class SandboxMounts {

    /** Where a sandbox sees its {@code mounts/} directory. */
    static final String INSIDE = "/.perpetua-mounts";
    private static final String RECORD = "volumes.list";

    private final SandboxDirectory directory;

    SandboxMounts(SandboxDirectory directory) {
        this.directory = directory;
    }

    Path hostDirectory() {
        return directory.root().resolve("mounts");
    }

    /**
     * Makes the host's side of every recorded mount, before a container starts or is restored:
     * the shared directory, and each volume bound into it ({@code source} gives a volume's
     * files on the host, mounting its disk if needed).
     */
    void prepare(Function<String, Path> source) {
        Path mounts = hostDirectory();
        try {
            Files.createDirectories(mounts);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot make " + mounts + ": " + e.getMessage(), e);
        }
        Mounts.share(mounts);
        for (VolumeMount mount : recorded()) {
            bindOnHost(mount, source.apply(mount.volumeId()));
        }
    }

    /** Binds the volume's files into {@code mounts/<volume id>}, read-only if the mount is; nothing if bound already. */
    void bindOnHost(VolumeMount mount, Path source) {
        Path slot = hostDirectory().resolve(mount.volumeId());
        if (Mounts.isMounted(slot)) {
            return;
        }
        try {
            Files.createDirectories(slot);
            if (!mount.readOnly()) {
                Mounts.bind(source, slot);
                return;
            }
            Path staging = directory.root().resolve("mount-staging");
            Files.createDirectories(staging);
            Mounts.bindReadOnly(source, slot, staging);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot bind volume " + mount.volumeId() + " for " + directory.root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The script that binds, inside the sandbox, each mount's directory under {@value #INSIDE} at
     * its path, skipping paths that are mount points already. Paths are of a character set that
     * needs no quoting (see {@link VolumeMount#checkPath}).
     */
    static String insideScript(List<VolumeMount> mounts) {
        StringBuilder script = new StringBuilder("set -e\n");
        for (VolumeMount mount : mounts) {
            String path = mount.mountPath();
            script.append("if ! grep -q ' ").append(path).append(" ' /proc/mounts; then mkdir -p ").append(path)
                    .append(" && mount --bind ").append(INSIDE).append('/').append(mount.volumeId()).append(' ').append(path).append("; fi\n");
        }
        return script.toString();
    }

    /** Adds {@code mounts} to the record, replacing any of the same volume. */
    void record(List<VolumeMount> mounts) {
        List<VolumeMount> all = new ArrayList<>(recorded());
        for (VolumeMount mount : mounts) {
            all.removeIf(known -> known.volumeId().equals(mount.volumeId()));
            all.add(mount);
        }
        StringBuilder text = new StringBuilder();
        all.forEach(mount -> text.append(mount.volumeId()).append(' ').append(mount.readOnly() ? "ro" : "rw").append(' ')
                .append(mount.mountPath()).append('\n'));
        Path target = directory.root().resolve(RECORD);
        Path draft = directory.root().resolve(RECORD + ".draft");
        try {
            Files.writeString(draft, text);
            Files.move(draft, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot record the mounts of " + directory.root() + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #record} recorded, in order. */
    List<VolumeMount> recorded() {
        try {
            List<VolumeMount> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(directory.root().resolve(RECORD))) {
                String[] fields = line.split(" ", 3);
                if (fields.length == 3) {
                    mounts.add(new VolumeMount(fields[0], fields[2], fields[1].equals("ro")));
                }
            }
            return mounts;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the mounts of " + directory.root() + ": " + e.getMessage(), e);
        }
    }
}

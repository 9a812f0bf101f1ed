package io.perpetua.runtime.gvisor;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandbox's files on the host, all under one directory:
 * <pre>
 *   config.json        the OCI bundle's spec (rewritten for each container generation)
 *   disk.img           the sandbox's disk: a sparse file of its size holding an ext4 file
 *                      system, so the sandbox can fill it but never the host's disk
 *   disk/              where it is mounted, holding:
 *     upper/, usr-upper/ the writable layers: every file the sandbox writes
 *     work/, usr-work/   overlayfs scratch space
 *   rootfs/            the root the sandbox sees: an overlay of the template and disk/upper/,
 *     usr/             with a second overlay of the template's /usr layers and disk/usr-upper/
 *   runsc.log          what runsc printed when starting or restoring a container
 *   root.name          which root file system it is overlaid on: default, or an imported image
 * </pre>
 * Sandboxes made before disks had their layers directly in the directory, without a size
 * limit; they keep that layout.
 */
final class SandboxDirectory {

    private static final Logger log = LoggerFactory.getLogger(SandboxDirectory.class);
    private static final Duration COPY_LIMIT = Duration.ofMinutes(10);
    /** The file, in a sandbox's directory or a snapshot's image directory, naming the root file system it is on. */
    static final String ROOT_NAME = "root.name";

    private final Path root;

    SandboxDirectory(Path sandboxesDirectory, SandboxId id) {
        this.root = sandboxesDirectory.resolve(id.value());
    }

    Path root() {
        return root;
    }

    Path bundle() {
        return root;
    }

    Path rootfs() {
        return root.resolve("rootfs");
    }

    /** The writable layer of the root: every file the sandbox wrote, also while it sleeps or after a reboot. */
    Path writableLayer() {
        return layers().resolve("upper");
    }

    /** Where the writable layers live: on the sandbox's disk, or in the directory itself for sandboxes from before disks. */
    private Path layers() {
        return Files.isDirectory(root.resolve("upper")) ? root : root.resolve("disk");
    }

    Path log() {
        return root.resolve("runsc.log");
    }

    /**
     * What the sandbox's own files take on the host disk: the blocks its disk image has
     * allocated (a sparse file grows as the sandbox writes), or its layers for the old layout.
     */
    long storedBytes() {
        Path image = root.resolve("disk.img");
        Path measured = Files.exists(image) ? image : layers();
        return FileTrees.allocatedBytes(measured);
    }

    /**
     * Mounts the sandbox's disk and root unless they are mounted, making the disk ({@code diskMb}
     * MiB) and the writable layers the first time.
     */
    void mount(RootFilesystem template, int diskMb) {
        if (!Files.isDirectory(root.resolve("upper"))) {
            mountDisk(diskMb);
        }
        Path layers = layers();
        try {
            for (String dir : new String[] {"upper", "work", "usr-upper", "usr-work"}) {
                Files.createDirectories(layers.resolve(dir));
            }
            Files.createDirectories(rootfs());
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot create the directories of sandbox root " + root + ": " + e.getMessage(), e);
        }
        Path rootfs = rootfs();
        if (!Mounts.isMounted(rootfs)) {
            Mounts.overlay(template.rootLayers(), layers.resolve("upper"), layers.resolve("work"), rootfs);
        }
        Path usr = rootfs.resolve("usr");
        if (!template.usrLayers().isEmpty() && !Mounts.isMounted(usr)) {
            Mounts.overlay(template.usrLayers(), layers.resolve("usr-upper"), layers.resolve("usr-work"), usr);
        }
    }

    private void mountDisk(int diskMb) {
        Path image = root.resolve("disk.img");
        Path disk = root.resolve("disk");
        try {
            Files.createDirectories(disk);
            if (!Files.exists(image)) {
                Path draft = root.resolve("disk.img.draft");
                Mounts.makeDisk(draft, diskMb);
                Files.move(draft, image, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot make the disk of sandbox " + root + ": " + e.getMessage(), e);
        }
        if (!Mounts.isMounted(disk)) {
            Mounts.disk(image, disk);
        }
    }

    /**
     * Copies the sandbox's disk image to {@code target}: a clone sharing its blocks where the
     * host's file system can (XFS, btrfs: milliseconds), else a sparse copy of the blocks it holds
     * (ext4: ~0.1-0.3 s for 200 MB written), its file system frozen meanwhile so the copy is consistent
     * (a copy of the mounted disk unfrozen cannot even be mounted read-only); call it while the sandbox's
     * container is stopped. The copy appears whole or not at all.
     *
     * @throws RuntimeFailureException if the sandbox has no disk image (made before disks) or the copy fails
     */
    void copyDisk(Path target) {
        Path image = root.resolve("disk.img");
        if (!Files.exists(image)) {
            throw new RuntimeFailureException("sandbox " + root.getFileName()
                    + " was made before sandboxes had disks: its files cannot be snapshotted");
        }
        Path disk = root.resolve("disk");
        Path draft = target.resolveSibling(target.getFileName() + ".draft");
        // A disk nobody has mounted (after the host restarted) needs no freezing: nothing writes to it.
        boolean mounted = Mounts.isMounted(disk);
        if (mounted) {
            HostCommand.run(List.of("fsfreeze", "--freeze", disk.toString()), COPY_LIMIT).orThrow("freezing the disk of " + root);
        }
        try {
            CrashPoint.SAVE_COPYING.reach();
            HostCommand.run(List.of("cp", "--reflink=auto", "--sparse=always", image.toString(), draft.toString()), COPY_LIMIT)
                    .orThrow("copying the disk of " + root);
        } finally {
            if (mounted) {
                HostCommand.run(List.of("fsfreeze", "--unfreeze", disk.toString()), COPY_LIMIT).orThrow("thawing the disk of " + root);
            }
        }
        try (FileChannel copy = FileChannel.open(draft, StandardOpenOption.WRITE)) {
            copy.force(true);
            Files.move(draft, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot keep the copy of the disk of " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a copy of {@code source} (a {@link #copyDisk} of this sandbox or of another) the
     * sandbox's disk, in place of any it had: its root is unmounted first and mounted again by
     * the next {@link #mount}. Call it while the sandbox has no container. The old disk is
     * replaced whole or not at all.
     */
    void takeDisk(Path source) {
        Path image = root.resolve("disk.img");
        Path draft = root.resolve("disk.img.draft");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot make the directory of sandbox " + root + ": " + e.getMessage(), e);
        }
        HostCommand.run(List.of("cp", "--reflink=auto", "--sparse=always", source.toString(), draft.toString()), COPY_LIMIT)
                .orThrow("copying the disk " + source + " for " + root);
        Mounts.unmountAll(rootfs());
        Mounts.unmountAll(root.resolve("disk"));
        try (FileChannel copy = FileChannel.open(draft, StandardOpenOption.WRITE)) {
            copy.force(true);
            Files.move(draft, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot replace the disk of " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Undoes what a {@link #copyDisk} or {@link #takeDisk} that a crash interrupted leaves: a
     * disk still frozen (every write to it would hang), a half-written copy. Never fails.
     */
    void repair() {
        Path disk = root.resolve("disk");
        if (Mounts.isMounted(disk)) {
            HostCommand.Result thawed = HostCommand.run(List.of("fsfreeze", "--unfreeze", disk.toString()), COPY_LIMIT);
            if (thawed.succeeded()) {
                log.warn("the disk of {} was still frozen by an interrupted snapshot; thawed it", root.getFileName());
            }
        }
        try {
            Files.deleteIfExists(root.resolve("disk.img.draft"));
        } catch (IOException e) {
            log.warn("cannot remove the half-written disk copy of {}", root.getFileName(), e);
        }
    }

    /** Notes which root file system the sandbox is overlaid on, so that every later restore mounts the same. */
    void recordRoot(String name) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve(ROOT_NAME), name);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot note the root of sandbox " + root + ": " + e.getMessage(), e);
        }
    }

    /** The root file system {@link #recordRoot} noted; sandboxes made before roots were noted have none (theirs is the default). */
    Optional<String> recordedRoot() {
        return readRoot(root);
    }

    /** The root name noted in {@code directory} (a sandbox's, or a snapshot's image directory), if any. */
    static Optional<String> readRoot(Path directory) {
        try {
            return Optional.of(Files.readString(directory.resolve(ROOT_NAME)).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the root noted in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Unmounts the sandbox's root and deletes every file of it. */
    void delete() {
        Mounts.unmountAll(root);
        FileTrees.delete(root);
    }
}

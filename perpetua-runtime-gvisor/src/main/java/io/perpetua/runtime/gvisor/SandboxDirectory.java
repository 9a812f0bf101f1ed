package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import io.perpetua.sandbox.SandboxId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sandbox's files on the host, all under one directory:
 * <pre>
 *   config.json        the OCI bundle's spec (rewritten for each container generation)
 *   rootfs/            the root the sandbox sees: an overlay of the template and upper/,
 *     usr/             with a second overlay of the template's /usr layers and usr-upper/
 *   upper/, usr-upper/ the writable layers: every file the sandbox writes, kept on disk
 *   work/, usr-work/   overlayfs scratch space
 *   runsc.log          what runsc printed when starting or restoring a container
 * </pre>
 */
final class SandboxDirectory {

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
        return root.resolve("upper");
    }

    Path log() {
        return root.resolve("runsc.log");
    }

    /** Mounts the sandbox's root (creating its writable layers the first time) unless it is mounted. */
    void mount(DefaultTemplate template) {
        try {
            for (String dir : new String[] {"upper", "work", "usr-upper", "usr-work", "rootfs"}) {
                Files.createDirectories(root.resolve(dir));
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot create the directories of sandbox root " + root + ": " + e.getMessage(), e);
        }
        Path rootfs = rootfs();
        if (!Mounts.isMounted(rootfs)) {
            Mounts.overlay(template.rootLayers(), root.resolve("upper"), root.resolve("work"), rootfs);
        }
        Path usr = rootfs.resolve("usr");
        if (!Mounts.isMounted(usr)) {
            Mounts.overlay(template.usrLayers(), root.resolve("usr-upper"), root.resolve("usr-work"), usr);
        }
    }

    /** Unmounts the sandbox's root and deletes every file of it. */
    void delete() {
        Mounts.unmountAll(root);
        FileTrees.delete(root);
    }
}

package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file systems of volumes and drives, one directory each:
 * <pre>
 *   volume.img   a sparse file of the volume's size holding an ext4 file system
 *   mnt/         where it is mounted, once, while the daemon runs; every sandbox that mounts the
 *                volume gets a bind mount of this one, so that all of them see the same files
 * </pre>
 */
final class VolumeDisks {

    private static final String IMAGE = "volume.img";

    private final Path directory;

    VolumeDisks(Path directory) {
        this.directory = directory;
    }

    /** Makes volume {@code id}'s disk of {@code sizeMb} MiB and mounts it; it appears whole or not at all. */
    void create(String id, int sizeMb) {
        Path home = directory.resolve(id);
        try {
            Files.createDirectories(home);
            Path draft = home.resolve(IMAGE + ".draft");
            Mounts.makeDisk(draft, sizeMb);
            Files.move(draft, home.resolve(IMAGE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(home);
            throw new RuntimeFailureException("cannot make the disk of volume " + id + ": " + e.getMessage(), e);
        }
        mounted(id);
    }

    /**
     * Where volume {@code id}'s files are on the host, its disk mounted there first if it is not
     * (after the host restarted).
     *
     * @throws RuntimeFailureException if the volume has no disk
     */
    Path mounted(String id) {
        Path home = directory.resolve(id);
        Path image = home.resolve(IMAGE);
        if (!Files.exists(image)) {
            throw new RuntimeFailureException("volume_missing", "the disk of volume " + id + " is gone from " + home, null);
        }
        Path mnt = home.resolve("mnt");
        if (!Mounts.isMounted(mnt)) {
            try {
                Files.createDirectories(mnt);
            } catch (IOException e) {
                throw new RuntimeFailureException("cannot make the mount point of volume " + id + ": " + e.getMessage(), e);
            }
            Mounts.disk(image, mnt);
        }
        return mnt;
    }

    /** Unmounts volume {@code id} (lazily if a bind of it is still busy) and deletes its disk. */
    void delete(String id) {
        Path home = directory.resolve(id);
        Mounts.unmountAll(home);
        FileTrees.delete(home);
    }

    /** The ids of the volumes that have a directory here, whole or half made. */
    Set<String> ids() {
        if (!Files.isDirectory(directory)) {
            return Set.of();
        }
        try (Stream<Path> homes = Files.list(directory)) {
            return homes.map(home -> home.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The blocks volume {@code id}'s sparse disk has allocated. */
    long storedBytes(String id) {
        Path image = directory.resolve(id).resolve(IMAGE);
        if (!Files.exists(image)) {
            return 0;
        }
        return FileTrees.allocatedBytes(image);
    }

    /** Unmounts and deletes every volume: for a test's purge only. */
    void purge() {
        Mounts.unmountAll(directory);
        FileTrees.delete(directory);
    }
}

package io.perpetua.runtime.gvisor;

import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;

/** Deleting directory trees that may hold files of a sandbox. */
final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything in it. Symbolic links are removed, never followed, and
     * it refuses to start while anything is mounted below {@code root}: a mounted overlay would
     * otherwise be emptied through its mount point.
     */
    static void delete(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Mounts.anyUnder(root)) {
            throw new RuntimeFailureException("refusing to delete " + root + ": something is still mounted below it");
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    /** Like {@link #delete}, for cleanup after a failure that is already being reported. */
    static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (RuntimeException e) {
            // The original failure is what the caller reports.
        }
    }

    /** The bytes of the host's disk that {@code path} (a file, or a tree on one file system) has allocated. */
    static long allocatedBytes(Path path) {
        HostCommand.Result du = HostCommand.run(List.of("du", "-s", "-x", "-B1", path.toString()), Duration.ofSeconds(30));
        if (!du.succeeded() || du.stdout().isBlank()) {
            throw new RuntimeFailureException("cannot measure " + path + ": " + du.stderr().strip());
        }
        return Long.parseLong(du.stdout().strip().split("\\s+")[0]);
    }
}

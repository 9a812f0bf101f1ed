package io.perpetua.runtime.gvisor;

import io.perpetua.crash.CrashPoint;
import io.perpetua.error.ConflictException;
import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root file systems imported from OCI images, one directory each under {@code images/}:
 * {@code <name>/rootfs}, read-only, that sandboxes overlay as they overlay the default template's.
 *
 * <p>An image is given as an OCI image layout (a directory), an OCI archive, or a
 * {@code docker save} archive. skopeo reads it (checking every blob against its digest) into a
 * layout of its own, and umoci unpacks that, applying the layers and their whiteouts without
 * letting any path of the image out of the root. Neither is asked to trust the image. The root
 * then gets the few directories every sandbox needs (the helpers' mount point, /root, /tmp),
 * and is renamed into place whole, or not at all.
 */
final class ImageRoots {

    private static final Logger log = LoggerFactory.getLogger(ImageRoots.class);
    private static final Duration IMPORT_LIMIT = Duration.ofMinutes(20);
    /** Directories the bundle mounts over or runs in; an image that makes any of them a link is refused. */
    private static final List<String> NEEDED = List.of("opt/perpetua", "proc", "sys", "dev", "root", "tmp", "etc");

    private final Path directory;
    private final RootFilesystem defaults;

    /**
     * @param directory where the images are unpacked
     * @param defaults  the default template, whose helpers every image's sandboxes get too
     */
    ImageRoots(Path directory, RootFilesystem defaults) {
        this.directory = directory;
        this.defaults = defaults;
    }

    /** The imported image {@code name}, if there is one. */
    Optional<RootFilesystem> find(String name) {
        Path rootfs = directory.resolve(name).resolve("rootfs");
        if (!Files.isDirectory(rootfs)) {
            return Optional.empty();
        }
        return Optional.of(new RootFilesystem() {
            @Override
            public List<Path> rootLayers() {
                return List.of(rootfs);
            }

            @Override
            public List<Path> usrLayers() {
                return List.of();
            }

            @Override
            public Path helpers() {
                return defaults.helpers();
            }
        });
    }

    /** Every imported image's name. */
    Set<String> names() {
        if (!Files.isDirectory(directory)) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).filter(name -> !name.startsWith("."))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list the images in " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks the image at {@code source} as root file system {@code name}.
     *
     * @throws InvalidInputException naming {@code image} if it is no image that can be read; nothing is left of it
     * @throws ConflictException     if an image of that name exists
     */
    void importImage(String name, Path source) {
        importInto(name, work -> source);
    }

    /**
     * Like {@link #importImage}, for an archive read from {@code archive}; it is kept, while it is
     * unpacked, beside the images (not in /tmp, which may be small).
     */
    void importArchive(String name, InputStream archive) {
        importInto(name, work -> {
            Path saved = work.resolve("upload.tar");
            Files.copy(archive, saved);
            return saved;
        });
    }

    /** Where an import takes its image from, given its private work directory. */
    private interface Source {
        Path in(Path work) throws IOException;
    }

    private void importInto(String name, Source from) {
        Path target = directory.resolve(name);
        if (Files.exists(target)) {
            throw new ConflictException("image_exists", "an image named " + name + " exists");
        }
        Path work = directory.resolve(".import-" + UUID.randomUUID());
        long started = System.nanoTime();
        Path source = null;
        try {
            Files.createDirectories(work);
            source = from.in(work);
            String reference = reference(source);
            unpack(reference, work);
            prepare(work.resolve("rootfs"));
            CrashPoint.IMAGE_UNPACKING.reach();
            if (source.startsWith(work)) {
                Files.delete(source);
            }
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            log.info("imported image {} from {} in {} ms", name, source, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot import image " + name + " from " + (source == null ? "an upload" : source) + ": "
                    + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    /** Removes image {@code name}; nothing if there is none. */
    void delete(String name) {
        FileTrees.deleteQuietly(directory.resolve(name));
    }

    /** Removes what imports a crash interrupted. */
    void sweep() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            entries.filter(entry -> entry.getFileName().toString().startsWith(".import-")).forEach(FileTrees::deleteQuietly);
        } catch (IOException e) {
            log.warn("cannot sweep {}", directory, e);
        }
    }

    /** How skopeo names the image at {@code source}, by its shape. */
    private static String reference(Path source) {
        if (Files.isDirectory(source)) {
            InvalidInputException.check(Files.isRegularFile(source.resolve("oci-layout")) && Files.isRegularFile(source.resolve("index.json")),
                    "image", source + " is a directory but no OCI image layout (it has no oci-layout and index.json)");
            return "oci:" + source;
        }
        InvalidInputException.check(Files.isRegularFile(source), "image", "no image file or directory at " + source);
        HostCommand.Result listing = HostCommand.run(List.of("tar", "-tf", source.toString()), IMPORT_LIMIT);
        InvalidInputException.check(listing.succeeded(), "image", source + " is not a tar archive: " + firstLine(listing.stderr()));
        List<String> entries = listing.stdout().lines().map(entry -> entry.startsWith("./") ? entry.substring(2) : entry).toList();
        if (entries.contains("manifest.json")) {
            return "docker-archive:" + source;
        }
        InvalidInputException.check(entries.contains("oci-layout") && entries.contains("index.json"), "image", source
                + " is neither an OCI archive (oci-layout, index.json) nor a docker save archive (manifest.json)");
        return "oci-archive:" + source;
    }

    private static void unpack(String reference, Path work) {
        Path layout = work.resolve("layout");
        HostCommand.Result copied = HostCommand.run(List.of("skopeo", "copy", "--quiet", reference, "oci:" + layout + ":image"), IMPORT_LIMIT);
        InvalidInputException.check(copied.succeeded(), "image", "the image cannot be read: " + firstLine(copied.stderr()));
        Path bundle = work.resolve("bundle");
        HostCommand.Result unpacked = HostCommand.run(List.of("umoci", "unpack", "--image", layout + ":image", bundle.toString()),
                IMPORT_LIMIT);
        InvalidInputException.check(unpacked.succeeded(), "image", "the image cannot be unpacked: " + firstLine(unpacked.stderr()));
        try {
            Files.move(bundle.resolve("rootfs"), work.resolve("rootfs"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot move the unpacked image in " + work + ": " + e.getMessage(), e);
        }
        FileTrees.deleteQuietly(bundle);
        FileTrees.deleteQuietly(layout);
    }

    /**
     * Adds what every sandbox needs and the image may lack. Nothing here follows a link of the
     * image: an image whose /opt, /root or /tmp is a link (to the host's /etc, say) is refused.
     */
    private static void prepare(Path rootfs) throws IOException {
        for (String needed : NEEDED) {
            Path path = rootfs;
            for (Path part : Path.of(needed)) {
                path = path.resolve(part);
                InvalidInputException.check(!Files.isSymbolicLink(path) && (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)), "image",
                        "the image's /" + rootfs.relativize(path) + " is not a directory, which a sandbox needs it to be");
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(path);
                }
            }
        }
        DefaultTemplate.sticky(rootfs.resolve("tmp"));
    }

    private static String firstLine(String text) {
        return text.lines().filter(line -> !line.isBlank()).findFirst().orElse("(no message)").strip();
    }
}

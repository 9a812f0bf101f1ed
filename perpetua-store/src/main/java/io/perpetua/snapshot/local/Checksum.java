package io.perpetua.snapshot.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The checksum of a snapshot directory: CRC32C over every regular file's relative name and
 * content, in name order. CRC32C detects torn and damaged files, and the JDK computes it with
 * the CPU's instruction at several GB/s, which matters because it is verified on every restore.
 * <p>
 * The recorded value names its algorithm by its prefix, and a directory is verified with the
 * algorithm its record names:
 * <ul>
 *   <li>{@code crc32c-blocks}, for every new seal: the content is each file's length and its
 *       non-zero 4 KiB blocks ({@link ContentBlocks}), so the holes of a sparse disk image are
 *       never read; the bytes counted are those of the non-zero blocks, the data a snapshot
 *       really holds;</li>
 *   <li>{@code crc32c}, of snapshots sealed before: every byte of every file, holes read as
 *       zeros; the bytes counted are the files' sizes. Kept so that those still verify.</li>
 * </ul>
 */
final class Checksum {

    /** What a directory holds: how many files, how many bytes (as its algorithm counts), and their checksum. */
    record Summary(int files, long bytes, String checksum) {
    }

    /** How a file's content enters the checksum, named by the prefix of the recorded value. */
    private enum Algorithm {
        WHOLE("crc32c") {
            @Override
            long add(Path file, CRC32C crc) throws IOException {
                return addWhole(file, crc);
            }
        },
        BLOCKS("crc32c-blocks") {
            @Override
            long add(Path file, CRC32C crc) throws IOException {
                return new ContentBlocks(crc).add(file);
            }
        };

        private final String prefix;

        Algorithm(String prefix) {
            this.prefix = prefix;
        }

        /** Adds the content of {@code file} to {@code crc}; returns how many bytes it counts. */
        abstract long add(Path file, CRC32C crc) throws IOException;

        static Algorithm of(String checksum) throws IOException {
            String prefix = checksum.substring(0, Math.max(0, checksum.indexOf(':')));
            for (Algorithm algorithm : values()) {
                if (algorithm.prefix.equals(prefix)) {
                    return algorithm;
                }
            }
            throw new IOException("the recorded checksum " + checksum + " names no known algorithm");
        }
    }

    private Checksum() {
    }

    /** The summary of {@code directory} as a new seal records it. */
    static Summary of(Path directory) throws IOException {
        return of(directory, Algorithm.BLOCKS);
    }

    /** The summary of {@code directory} by the algorithm that {@code recorded}, an earlier checksum, names. */
    static Summary like(String recorded, Path directory) throws IOException {
        return of(directory, Algorithm.of(recorded));
    }

    private static Summary of(Path directory, Algorithm algorithm) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        CRC32C crc = new CRC32C();
        long bytes = 0;
        for (Path file : files) {
            crc.update(directory.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            bytes += algorithm.add(file, crc);
        }
        return new Summary(files.size(), bytes, String.format("%s:%08x", algorithm.prefix, crc.getValue()));
    }

    /** The {@code crc32c} content of a file: every byte of it. */
    private static long addWhole(Path file, CRC32C crc) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long bytes = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                crc.update(buffer, 0, n);
                bytes += n;
            }
        }
        return bytes;
    }
}

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
 */
final class Checksum {

    /** What a directory holds: how many files, how many bytes, and their checksum. */
    record Summary(int files, long bytes, String checksum) {
    }

    private Checksum() {
    }

    static Summary of(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        CRC32C crc = new CRC32C();
        long bytes = 0;
        byte[] buffer = new byte[1 << 20];
        for (Path file : files) {
            crc.update(directory.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    crc.update(buffer, 0, n);
                    bytes += n;
                }
            }
        }
        return new Summary(files.size(), bytes, String.format("crc32c:%08x", crc.getValue()));
    }
}

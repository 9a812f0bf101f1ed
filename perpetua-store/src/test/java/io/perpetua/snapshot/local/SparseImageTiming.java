package io.perpetua.snapshot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the checksum of a default sandbox disk image (10 GiB, sparse, 20 MiB of data) takes
 * with the block algorithm and with the old one that reads the holes. A measurement to print,
 * not a test of speed; it reads 10 GiB several times, so its name keeps it out of the build's
 * tests, and it runs only when asked: {@code mvn -o -pl perpetua-store test -Dtest=SparseImageTiming}.
 */
class SparseImageTiming {

    private static final int RUNS = 3;

    @TempDir
    Path directory;

    @Test
    void printsTheTimeToChecksumATenGibibyteSparseImage() throws IOException {
        SparseFile image = SparseFile.create(directory.resolve("disk.img"), 10L << 30);
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] chunk = new byte[1 << 20];
            random.nextBytes(chunk);
            image.write(i * (512L << 20), chunk);
        }

        for (int run = 1; run <= RUNS; run++) {
            report("crc32c-blocks", run, () -> Checksum.of(directory));
            report("crc32c (old)", run, () -> Checksum.like("crc32c:0", directory));
        }
    }

    private interface Computation {
        Checksum.Summary run() throws IOException;
    }

    private static void report(String algorithm, int run, Computation computation) throws IOException {
        long start = System.nanoTime();
        Checksum.Summary summary = computation.run();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("checksum of a 10 GiB sparse image, %s, run %d: %d ms (%s, %d bytes)%n", algorithm, run, millis,
                summary.checksum(), summary.bytes());
        assertThat(summary.files()).isEqualTo(1);
    }
}

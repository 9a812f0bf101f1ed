package io.perpetua.snapshot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Linux, with native access granted as the launcher and the build grant it, holes are
 * really found: otherwise every checksum would quietly fall back to reading them.
 */
class DataRegionsTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path directory;

    @BeforeEach
    void onLinux() {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "SEEK_DATA and SEEK_HOLE are asked for on Linux only");
    }

    @Test
    void theDataOfASparseFileIsFoundBetweenItsHoles() throws IOException {
        Path file = SparseFile.create(directory.resolve("disk.img"), 64 * MIB)
                .write(8 * MIB, new byte[] {1})
                .write(40 * MIB, new byte[] {2})
                .path();

        try (DataRegions regions = DataRegions.of(file, 64 * MIB)) {
            long first = regions.dataFrom(0);
            long firstEnd = regions.holeFrom(first);
            long second = regions.dataFrom(firstEnd);
            long secondEnd = regions.holeFrom(second);

            assertThat(first).isBetween(4 * MIB, 8 * MIB);
            assertThat(firstEnd).isBetween(8 * MIB + 1, 12 * MIB);
            assertThat(second).isBetween(36 * MIB, 40 * MIB);
            assertThat(secondEnd).isBetween(40 * MIB + 1, 44 * MIB);
            assertThat(regions.dataFrom(secondEnd)).isEqualTo(64 * MIB);
        }
    }

    @Test
    void aFileOfHolesOnlyHasNoData() throws IOException {
        Path file = SparseFile.create(directory.resolve("disk.img"), 64 * MIB).path();

        try (DataRegions regions = DataRegions.of(file, 64 * MIB)) {
            assertThat(regions.dataFrom(0)).isEqualTo(64 * MIB);
        }
    }

    @Test
    void aDenseFileIsOneRegionOfData() throws IOException {
        Path file = Files.write(directory.resolve("state.json"), new byte[10_000]);

        try (DataRegions regions = DataRegions.of(file, 10_000)) {
            assertThat(regions.dataFrom(0)).isZero();
            assertThat(regions.holeFrom(0)).isEqualTo(10_000);
            assertThat(regions.dataFrom(10_000)).isEqualTo(10_000);
        }
    }

    @Test
    void aFileThatCannotBeOpenedNativelyIsAllData() {
        try (DataRegions regions = DataRegions.of(directory.resolve("missing"), 5000)) {
            assertThat(regions.dataFrom(100)).isEqualTo(100);
            assertThat(regions.holeFrom(100)).isEqualTo(5000);
        }
    }
}

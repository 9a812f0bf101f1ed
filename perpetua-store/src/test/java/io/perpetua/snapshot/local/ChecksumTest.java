package io.perpetua.snapshot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumTest {

    private static final int BLOCK = 4096;
    private static final long MIB = 1 << 20;

    @TempDir
    Path directory;

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A 16 MiB disk image with a few MiB of data: some aligned, some not, and a block of written zeros. */
    private static SparseFile image(Path file) throws IOException {
        return SparseFile.create(file, 16 * MIB)
                .write(0, random(5000, 1))
                .write(3 * MIB + 7, random(2 * (int) MIB, 2))
                .write(8 * MIB, new byte[BLOCK])
                .write(12 * MIB - 10, random(30, 3));
    }

    /** The {@code crc32c-blocks} value computed from every byte of every file: what the checksum must be. */
    private static Checksum.Summary reference(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        CRC32C crc = new CRC32C();
        long bytes = 0;
        for (Path file : files) {
            crc.update(directory.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            byte[] content = Files.readAllBytes(file);
            crc.update(bigEndian(content.length));
            for (int offset = 0; offset < content.length; offset += BLOCK) {
                byte[] block = Arrays.copyOfRange(content, offset, Math.min(content.length, offset + BLOCK));
                if (!Arrays.equals(block, new byte[block.length])) {
                    crc.update(bigEndian(offset));
                    crc.update(block);
                    bytes += block.length;
                }
            }
        }
        return new Checksum.Summary(files.size(), bytes, String.format("crc32c-blocks:%08x", crc.getValue()));
    }

    private static byte[] bigEndian(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** Copies every byte, zeros included, so that the copy has no holes. */
    private static void copyDensely(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    @Test
    void theChecksumIsEachFilesNameLengthAndNonZeroBlocksWithTheirOffsets() throws IOException {
        image(directory.resolve("disk.img"));
        Files.createDirectories(directory.resolve("meta"));
        Files.write(directory.resolve("meta").resolve("state.json"), random(100, 4));

        Checksum.Summary summary = Checksum.of(directory);

        assertThat(summary).isEqualTo(reference(directory));
        assertThat(summary.checksum()).matches("crc32c-blocks:[0-9a-f]{8}");
        assertThat(summary.bytes()).isEqualTo(2 * BLOCK + (2 * MIB / BLOCK + 1) * BLOCK + 2 * BLOCK + 100);
    }

    @Test
    void aSparseFileAndItsDenseCopyHaveTheSameChecksumAndBytes() throws IOException {
        Path sparse = image(directory.resolve("sparse").resolve("disk.img")).path();
        copyDensely(sparse, directory.resolve("dense").resolve("disk.img"));

        assertThat(Checksum.of(directory.resolve("dense"))).isEqualTo(Checksum.of(directory.resolve("sparse")));
    }

    @Test
    void oneChangedByteInTheDataChangesTheChecksum() throws IOException {
        SparseFile image = image(directory.resolve("disk.img"));
        Checksum.Summary before = Checksum.of(directory);

        image.flip(4 * MIB + 1);

        Checksum.Summary after = Checksum.of(directory);
        assertThat(after.checksum()).isNotEqualTo(before.checksum());
        assertThat(after.bytes()).isEqualTo(before.bytes());
        assertThat(after).isEqualTo(reference(directory));
    }

    @Test
    void oneByteWrittenInAHoleChangesTheChecksumAndAddsItsBlock() throws IOException {
        SparseFile image = image(directory.resolve("disk.img"));
        Checksum.Summary before = Checksum.of(directory);

        image.write(14 * MIB + 3, new byte[] {1});

        Checksum.Summary after = Checksum.of(directory);
        assertThat(after.checksum()).isNotEqualTo(before.checksum());
        assertThat(after.bytes()).isEqualTo(before.bytes() + BLOCK);
        assertThat(after).isEqualTo(reference(directory));
    }

    @Test
    void aChangedLengthChangesTheChecksumEvenWhenOnlyZerosAreCutOrAdded() throws IOException {
        Path file = image(directory.resolve("disk.img")).path();
        Checksum.Summary original = Checksum.of(directory);

        truncate(file, 16 * MIB - 1);
        Checksum.Summary truncated = Checksum.of(directory);
        SparseFile.create(file, 16 * MIB + 1);
        Checksum.Summary extended = Checksum.of(directory);

        assertThat(List.of(original.checksum(), truncated.checksum(), extended.checksum())).doesNotHaveDuplicates();
        assertThat(List.of(truncated.bytes(), extended.bytes())).containsOnly(original.bytes());
        assertThat(extended).isEqualTo(reference(directory));
    }

    @Test
    void truncatingIntoTheDataChangesTheChecksumAndTheBytes() throws IOException {
        Path file = image(directory.resolve("disk.img")).path();
        Checksum.Summary before = Checksum.of(directory);

        truncate(file, 3 * MIB + 100);

        Checksum.Summary after = Checksum.of(directory);
        assertThat(after.checksum()).isNotEqualTo(before.checksum());
        assertThat(after.bytes()).isEqualTo(2 * BLOCK + 100);
        assertThat(after).isEqualTo(reference(directory));
    }

    @Test
    void anEmptyFileAddsItsNameAndLengthOnly() throws IOException {
        Files.createFile(directory.resolve("empty"));

        CRC32C expected = new CRC32C();
        expected.update("empty".getBytes(StandardCharsets.UTF_8));
        expected.update(bigEndian(0));
        assertThat(Checksum.of(directory)).isEqualTo(new Checksum.Summary(1, 0, String.format("crc32c-blocks:%08x", expected.getValue())));
    }

    @Test
    void aFileOfHolesOnlyAddsItsNameAndLengthOnly() throws IOException {
        SparseFile.create(directory.resolve("disk.img"), 1L << 30);

        CRC32C expected = new CRC32C();
        expected.update("disk.img".getBytes(StandardCharsets.UTF_8));
        expected.update(bigEndian(1L << 30));
        assertThat(Checksum.of(directory)).isEqualTo(new Checksum.Summary(1, 0, String.format("crc32c-blocks:%08x", expected.getValue())));
    }

    @Test
    void dataThatIsNotBlockAlignedCountsTheWholeBlocksItTouchesAndAShortLastBlock() throws IOException {
        SparseFile.create(directory.resolve("disk.img"), 3 * BLOCK + 100)
                .write(BLOCK - 10, random(20, 5))
                .write(3 * BLOCK + 99, new byte[] {7});

        Checksum.Summary summary = Checksum.of(directory);

        assertThat(summary).isEqualTo(reference(directory));
        assertThat(summary.bytes()).isEqualTo(2 * BLOCK + 100);
    }

    @Test
    void aRecordedOldChecksumIsComputedTheOldWayOverEveryByte() throws IOException {
        Path file = image(directory.resolve("disk.img")).path();

        Checksum.Summary summary = Checksum.like("crc32c:00000000", directory);

        CRC32C expected = new CRC32C();
        expected.update("disk.img".getBytes(StandardCharsets.UTF_8));
        expected.update(Files.readAllBytes(file));
        assertThat(summary).isEqualTo(new Checksum.Summary(1, 16 * MIB, String.format("crc32c:%08x", expected.getValue())));
    }

    @Test
    void aRecordedNewChecksumIsComputedTheNewWay() throws IOException {
        image(directory.resolve("disk.img"));

        assertThat(Checksum.like("crc32c-blocks:00000000", directory)).isEqualTo(Checksum.of(directory));
    }

    @Test
    void aChecksumOfAnUnknownAlgorithmCannotBeComputed() throws IOException {
        Files.write(directory.resolve("state.json"), random(10, 6));

        for (String recorded : List.of("sha256:00", "crc32c-block:00", "crc32c", "")) {
            assertThatThrownBy(() -> Checksum.like(recorded, directory)).isInstanceOf(IOException.class)
                    .hasMessageContaining("names no known algorithm");
        }
    }
}

package io.perpetua.snapshot.local;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One file's share of a {@code crc32c-blocks} checksum: its logical length (8 bytes,
 * big-endian), then, for every 4 KiB block that is not all zeros, the block's offset (8 bytes,
 * big-endian) and its bytes. Zero blocks add nothing, holes and written zeros alike, so the
 * value depends on what the file holds and not on how sparsely it is stored; and holes need
 * not be read at all, which is what makes a sparse 10 GiB disk image cheap to verify. Only the
 * regions {@link DataRegions} reports are read.
 */
final class ContentBlocks {

    private static final int BLOCK = 4096;
    private static final int BUFFER = 1 << 20;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final CRC32C crc;
    private final byte[] buffer = new byte[BUFFER];
    private final ByteBuffer number = ByteBuffer.allocate(Long.BYTES);

    /** @param crc the checksum the files are added to */
    ContentBlocks(CRC32C crc) {
        this.crc = crc;
    }

    /**
     * Adds the length and non-zero blocks of {@code file} to the checksum.
     *
     * @return how many bytes its non-zero blocks hold
     */
    long add(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            addNumber(length);
            try (DataRegions regions = DataRegions.of(file, length)) {
                return addRegions(channel, regions, length);
            }
        } catch (EOFException e) {
            throw new IOException(file + " changed while being read: " + e.getMessage(), e);
        }
    }

    /** Reads the data regions, widened to whole blocks; blocks shared by two regions are read once. */
    private long addRegions(FileChannel channel, DataRegions regions, long length) throws IOException {
        long stored = 0;
        long next = 0;
        for (long start = regions.dataFrom(0); start < length; start = regions.dataFrom(next)) {
            long from = Math.max(next, start - start % BLOCK);
            long end = Math.max(regions.holeFrom(start), start + 1);
            next = Math.min(length, Math.ceilDiv(end, BLOCK) * BLOCK);
            stored += addRange(channel, from, next);
        }
        return stored;
    }

    private long addRange(FileChannel channel, long from, long to) throws IOException {
        long stored = 0;
        for (long position = from; position < to; position += BUFFER) {
            int size = (int) Math.min(BUFFER, to - position);
            read(channel, position, size);
            stored += addBlocks(position, size);
        }
        return stored;
    }

    private void read(FileChannel channel, long position, int size) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, size);
        while (target.hasRemaining()) {
            if (channel.read(target, position + target.position()) < 0) {
                throw new EOFException("it ended at byte " + (position + target.position()));
            }
        }
    }

    /** Adds the non-zero blocks among the first {@code size} bytes of the buffer, read at {@code position}. */
    private long addBlocks(long position, int size) {
        long stored = 0;
        for (int i = 0; i < size; i += BLOCK) {
            int n = Math.min(BLOCK, size - i);
            if (Arrays.mismatch(buffer, i, i + n, ZEROS, 0, n) >= 0) {
                addNumber(position + i);
                crc.update(buffer, i, n);
                stored += n;
            }
        }
        return stored;
    }

    private void addNumber(long value) {
        crc.update(number.putLong(0, value).array());
    }
}

package io.perpetua.processes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The records of a process's output file (see {@link ProcessFiles}) from a position on, read
 * in blocks rather than a system call per field: a log of one-byte writes has millions of
 * records. A record that is still being written counts as not there yet.
 */
final class OutputRecords {

    /** Stream byte and big-endian length before every record's bytes. */
    static final int HEADER = 5;
    private static final int BLOCK = 64 * 1024;
    /** No record is longer than the output a process may keep; a longer length is not a record's. */
    private static final int MAX_LENGTH = (int) SandboxProcesses.OUTPUT_LIMIT;

    /** One record: {@code end} is the offset just after it, where the next one starts. */
    record Record(byte stream, byte[] bytes, long end) {
    }

    private final SeekableByteChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocate(BLOCK).flip();
    private long position;

    OutputRecords(SeekableByteChannel channel, long position) throws IOException {
        this.channel = channel.position(position);
        this.position = position;
    }

    /** The offset of the next record. */
    long position() {
        return position;
    }

    /** The next record, or null if none has been written whole after {@link #position()} yet. */
    Record next() throws IOException {
        int length = nextLength();
        if (length < 0 || !buffered(HEADER + length)) {
            return null;
        }
        byte stream = buffer.get();
        buffer.getInt();
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        position += HEADER + length;
        return new Record(stream, bytes, position);
    }

    /** Moves past the next record without reading its bytes; false if its header is not there. */
    boolean skip() throws IOException {
        int length = nextLength();
        if (length < 0) {
            return false;
        }
        position += HEADER + length;
        if (buffer.remaining() >= HEADER + length) {
            buffer.position(buffer.position() + HEADER + length);
        } else {
            buffer.clear().flip();
            channel.position(position);
        }
        return true;
    }

    /** The length in the next record's header, or -1 if there is no header yet (or none that makes sense). */
    private int nextLength() throws IOException {
        int length = buffered(HEADER) ? buffer.getInt(buffer.position() + 1) : -1;
        return length <= MAX_LENGTH ? length : -1;
    }

    /** Whether {@code bytes} bytes from the position are in the buffer, after reading what the file has. */
    private boolean buffered(int bytes) throws IOException {
        while (buffer.remaining() < bytes) {
            if (buffer.capacity() < bytes) {
                if (channel.size() - position < bytes) {
                    return false;
                }
                buffer = ByteBuffer.allocate(bytes).put(buffer).flip();
            }
            buffer.compact();
            int read = channel.read(buffer);
            buffer.flip();
            if (read <= 0) {
                return false;
            }
        }
        return true;
    }
}

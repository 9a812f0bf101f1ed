package io.perpetua.snapshot.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sparse files for tests, the shape of a sandbox's disk image: a logical length set without
 * writing anything, so all holes, then data written at chosen offsets.
 */
final class SparseFile {

    private final Path path;

    private SparseFile(Path path) {
        this.path = path;
    }

    /** A file of {@code length} bytes, all holes, created with its parent directories. */
    static SparseFile create(Path path, long length) throws IOException {
        Files.createDirectories(path.getParent());
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(length);
        }
        return new SparseFile(path);
    }

    /** Writes {@code bytes} at {@code offset}, extending the file if they reach past its end. */
    SparseFile write(long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(offset);
            file.write(bytes);
        }
        return this;
    }

    /** Changes the byte at {@code offset}, which must be within the file. */
    SparseFile flip(long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(offset);
            int old = file.read();
            file.seek(offset);
            file.write(old ^ 0x10);
        }
        return this;
    }

    Path path() {
        return path;
    }
}

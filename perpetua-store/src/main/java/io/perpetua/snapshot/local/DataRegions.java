package io.perpetua.snapshot.local;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a file's data lies, so that a checksum need not read its holes: a sandbox's sparse
 * 10 GiB disk image may hold a few hundred MB, and reading the rest as zeros would cost
 * seconds at every seal and every restore. Linux tells through {@code lseek(SEEK_DATA)} and
 * {@code lseek(SEEK_HOLE)}, called with the Foreign Function &amp; Memory API.
 * <p>
 * Where those calls are unavailable (another OS, native access denied) or fail, the whole
 * file counts as data: callers that skip zeros themselves get the same answer, only slower.
 * An instance is used by one thread and must be closed.
 */
final class DataRegions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DataRegions.class);

    /** O_RDONLY (0) | O_CLOEXEC (02000000), as on x86-64, AArch64 and the other asm-generic architectures. */
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    /** The C functions, or null where they cannot be called. */
    private static final Functions FUNCTIONS = Functions.load();

    private final Path file;
    private final long length;
    private final Arena arena;
    private final MemorySegment callState;
    private int fd = -1;

    private DataRegions(Path file, long length, Arena arena) {
        this.file = file;
        this.length = length;
        this.arena = arena;
        this.callState = arena == null ? null : arena.allocate(Linker.Option.captureStateLayout());
    }

    /**
     * The data regions of {@code file}, whose first {@code length} bytes are of interest.
     * Never fails: if the file cannot be asked, every byte counts as data.
     */
    static DataRegions of(Path file, long length) {
        if (FUNCTIONS == null) {
            return new DataRegions(file, length, null);
        }
        DataRegions regions = new DataRegions(file, length, Arena.ofConfined());
        regions.fd = regions.open();
        return regions;
    }

    /** The first offset at or after {@code offset} that holds data, or the length if none does. */
    long dataFrom(long offset) {
        return offset >= length ? length : seek(offset, SEEK_DATA, offset);
    }

    /**
     * The end of the data at {@code offset}, which {@link #dataFrom} returned: where the next
     * hole starts, or the length.
     */
    long holeFrom(long offset) {
        return offset >= length ? length : seek(offset, SEEK_HOLE, length);
    }

    @Override
    public void close() {
        closeFile();
        if (arena != null) {
            arena.close();
        }
    }

    private void closeFile() {
        if (fd >= 0) {
            FUNCTIONS.close(fd);
            fd = -1;
        }
    }

    private int open() {
        int opened = FUNCTIONS.open(arena.allocateFrom(file.toString()), callState);
        if (opened < 0) {
            log.debug("cannot open {} to find its holes (errno {}); reading all of it", file, FUNCTIONS.errno(callState));
        }
        return opened;
    }

    /** lseek with {@code whence}, or {@code fallback} once lseek cannot be used for this file. */
    private long seek(long offset, int whence, long fallback) {
        if (fd < 0) {
            return fallback;
        }
        long found = FUNCTIONS.lseek(fd, offset, whence, callState);
        if (found >= offset) {
            return Math.min(found, length);
        }
        if (found == -1 && FUNCTIONS.errno(callState) == ENXIO) {
            return length;
        }
        log.debug("lseek({}, {}) of {} returned {} (errno {}); reading the rest of it", offset, whence, file, found,
                FUNCTIONS.errno(callState));
        closeFile();
        return fallback;
    }

    /** Downcall handles to open, lseek and close, the first two capturing errno. */
    private record Functions(MethodHandle openHandle, MethodHandle lseekHandle, MethodHandle closeHandle, VarHandle errnoHandle) {

        static Functions load() {
            if (!System.getProperty("os.name", "").equals("Linux") || ADDRESS.byteSize() != Long.BYTES) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                return new Functions(
                        downcall(linker, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                                errno, Linker.Option.firstVariadicArg(2)),
                        downcall(linker, "lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), errno),
                        downcall(linker, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        Linker.Option.captureStateLayout().varHandle(PathElement.groupElement("errno")));
            } catch (RuntimeException | LinkageError e) {
                log.info("cannot call lseek natively, so checksums read the holes of sparse files: {}", e.toString());
                return null;
            }
        }

        /** Restricted by the JDK: the launcher and the tests grant native access to the class path. */
        @SuppressWarnings("restricted")
        private static MethodHandle downcall(Linker linker, String name, FunctionDescriptor descriptor, Linker.Option... options) {
            MemorySegment address = linker.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsupportedOperationException("no C function " + name));
            return linker.downcallHandle(address, descriptor, options);
        }

        int open(MemorySegment path, MemorySegment callState) {
            try {
                return (int) openHandle.invokeExact(callState, path, O_RDONLY_CLOEXEC, 0);
            } catch (Throwable e) {
                throw new IllegalStateException("open failed in the JVM", e);
            }
        }

        long lseek(int fd, long offset, int whence, MemorySegment callState) {
            try {
                return (long) lseekHandle.invokeExact(callState, fd, offset, whence);
            } catch (Throwable e) {
                throw new IllegalStateException("lseek failed in the JVM", e);
            }
        }

        void close(int fd) {
            try {
                int ignored = (int) closeHandle.invokeExact(fd);
            } catch (Throwable e) {
                throw new IllegalStateException("close failed in the JVM", e);
            }
        }

        int errno(MemorySegment callState) {
            return (int) errnoHandle.get(callState, 0L);
        }
    }
}

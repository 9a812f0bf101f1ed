package io.perpetua.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How much memory the host can still hand out; the engine hibernates sandboxes when it runs low. */
@FunctionalInterface
public interface HostMemory {

    /** Bytes of memory available to new work without swapping. */
    long availableBytes();

    /** Reads {@code MemAvailable} from {@code /proc/meminfo}. */
    static HostMemory fromProcMeminfo() {
        return () -> readMeminfo("MemAvailable:");
    }

    /** Total memory of the host, from {@code /proc/meminfo}. */
    static long totalBytes() {
        return readMeminfo("MemTotal:");
    }

    private static long readMeminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    String kilobytes = line.substring(key.length()).trim().split("\\s+")[0];
                    return Long.parseLong(kilobytes) * 1024;
                }
            }
            throw new IllegalStateException("/proc/meminfo has no " + key + " line");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/meminfo", e);
        }
    }
}

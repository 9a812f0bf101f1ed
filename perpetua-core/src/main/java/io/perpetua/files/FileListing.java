package io.perpetua.files;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries below a directory.
 *
 * @param path      the directory listed
 * @param entries   what is below it, in the order the sandbox's {@code find} gave them
 * @param truncated whether entries beyond the limit were left out
 */
public record FileListing(String path, List<FileInfo> entries, boolean truncated) {

    /** Copies the entries. */
    public FileListing {
        entries = List.copyOf(entries);
    }

    /** Parses the output of {@code find -printf '%y\0%s\0%m\0%T@\0%l\0%P\0'}, keeping at most {@code limit} entries. */
    static FileListing parse(String directory, String output, int limit) {
        String[] fields = output.split("\0", -1);
        String base = directory.endsWith("/") ? directory : directory + "/";
        List<FileInfo> entries = new ArrayList<>();
        int complete = (fields.length - 1) / 6;
        for (int i = 0; i < complete && entries.size() < limit; i++) {
            int at = i * 6;
            String link = fields[at + 4];
            entries.add(new FileInfo(base + fields[at + 5], type(fields[at]), Long.parseLong(fields[at + 1]),
                    fields[at + 2], epoch(fields[at + 3]), link.isEmpty() ? null : link));
        }
        return new FileListing(directory, entries, complete > entries.size() || (fields.length - 1) % 6 != 0);
    }

    /** A {@link FileInfo} from the lines of {@code stat --printf '%F\n%s\n%a\n%.9Y\n'}. */
    static FileInfo info(String path, String statType, String size, String mode, String modified, String symlinkTarget) {
        String type = switch (statType) {
            case "regular file", "regular empty file" -> "file";
            case "directory" -> "directory";
            case "symbolic link" -> "symlink";
            default -> "other";
        };
        return new FileInfo(path, type, Long.parseLong(size), mode, epoch(modified), symlinkTarget);
    }

    private static String type(String findType) {
        return switch (findType) {
            case "f" -> "file";
            case "d" -> "directory";
            case "l" -> "symlink";
            default -> "other";
        };
    }

    private static Instant epoch(String seconds) {
        BigDecimal value = new BigDecimal(seconds);
        long whole = value.longValue();
        long nanos = value.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(whole, nanos);
    }
}

package io.perpetua.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * How many bytes a copy has moved, shown on one line of standard error that is rewritten every
 * MiB once the copy passed 1 MiB; smaller copies, and quiet ones, show nothing.
 */
final class Progress {

    static final long MIB = 1024 * 1024;

    private final PrintStream err;
    private final String verb;
    private final long total;
    private final boolean quiet;
    private long bytes;
    private long shown;

    /**
     * @param verb  what is done to the bytes, such as {@code uploaded}
     * @param total how many bytes there are, or -1 when that is not known
     */
    Progress(PrintStream err, String verb, long total, boolean quiet) {
        this.err = err;
        this.verb = verb;
        this.total = total;
        this.quiet = quiet;
    }

    /** Counts {@code n} more bytes. Uploads are read on the HTTP client's threads, hence the lock. */
    synchronized void add(long n) {
        bytes += n;
        if (!quiet && bytes > MIB && bytes - shown >= MIB) {
            show();
        }
    }

    /** Shows the final count and ends the line, if anything was shown. */
    synchronized void done() {
        if (!quiet && bytes > MIB) {
            show();
            err.println();
        }
    }

    /** {@code in}, counting what is read from it. */
    InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    add(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    add(n);
                }
                return n;
            }
        };
    }

    private void show() {
        shown = bytes;
        err.print("\r" + verb + " " + bytes + (total >= 0 ? " of " + total : "") + " bytes");
        err.flush();
    }
}

package io.perpetua.processes;

import io.perpetua.error.InvalidInputException;
import io.perpetua.error.RuntimeFailureException;
import io.perpetua.text.Utf8Decoder;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reader's place in a process's output file, moved on by each {@link #read}: a follower reads
 * only what was appended since its previous read, never the file again from its start. It
 * keeps the offset, not an open file: a follower may wait on a sandbox for hours, and an open
 * descriptor would keep its disk busy when the sandbox is deleted and the disk unmounted.
 *
 * <p>Consecutive records of one stream are merged into one piece, and a piece ends on a whole
 * character: the supervisor records each pipe read, so the bytes of one character may lie in
 * two records, and an offset handed out must be where a record starts.
 */
public final class OutputCursor {

    /** Opens the output file for reading; tests count what is read through it. */
    @FunctionalInterface
    interface Opener {
        SeekableByteChannel open(Path file) throws IOException;
    }

    private static final byte TRUNCATED = 't';

    private final String processId;
    private final Path file;
    private final Opener opener;
    private long position;

    /** @throws InvalidInputException naming {@code from} if it is not where a record starts */
    OutputCursor(String processId, Path file, long from, Opener opener) {
        this.processId = processId;
        this.file = file;
        this.opener = opener;
        this.position = from;
        requireRecordStart(from);
    }

    /** The offset the next read starts at: where a record starts. */
    public long position() {
        return position;
    }

    /**
     * What was appended since the previous read (from the cursor's start, the first time), about
     * {@code maxBytes} of it; empty if nothing new is there yet. An incomplete character at the
     * end, whose remaining bytes the process has not written yet, is held back with the records
     * that hold it, unless {@code outputEnded}: then it is given as it is.
     *
     * @param outputEnded whether the process has ended, so that what is there is all there is
     */
    public List<OutputChunk> read(int maxBytes, boolean outputEnded) {
        try (SeekableByteChannel channel = opener.open(file)) {
            List<OutputChunk> chunks = read(new OutputRecords(channel, position), maxBytes, outputEnded);
            if (!chunks.isEmpty()) {
                position = chunks.getLast().next();
            }
            return chunks;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the output of process " + processId + " from offset " + position
                    + ": " + e.getMessage(), e);
        }
    }

    private static List<OutputChunk> read(OutputRecords records, int maxBytes, boolean outputEnded) throws IOException {
        List<OutputChunk> chunks = new ArrayList<>();
        Piece piece = null;
        long taken = 0;
        while (taken < maxBytes || (piece != null && !piece.endsOnWholeCharacter())) {
            long start = records.position();
            OutputRecords.Record record = records.next();
            if (record == null) {
                break;
            }
            if (piece != null && piece.stream != record.stream()) {
                // A character cut by the output limit never gets its remaining bytes; one cut by
                // output on the other stream is given as it is, U+FFFD when decoded.
                chunks.add(record.stream() == TRUNCATED ? piece.wholeCharacters() : piece.all());
                piece = null;
            }
            if (piece == null) {
                piece = new Piece(record.stream(), start);
            }
            piece.take(record);
            taken += record.bytes().length;
        }
        if (piece != null) {
            OutputChunk last = outputEnded ? piece.all() : piece.upToLastWholeRecord();
            if (last != null) {
                chunks.add(last);
            }
        }
        return chunks;
    }

    /** Offsets handed out are where records start; anything else would be read as garbage. Checked once per cursor. */
    private void requireRecordStart(long from) {
        if (from == 0) {
            return;
        }
        try (SeekableByteChannel channel = opener.open(file)) {
            OutputRecords records = new OutputRecords(channel, 0);
            while (records.position() < from && records.skip()) {
                // Header after header, up to the offset.
            }
            InvalidInputException.check(records.position() == from, "from", "offset " + from + " is not the start of a piece of output");
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("from", "offset " + from + " is past the end of the output");
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read the output of process " + processId + ": " + e.getMessage(), e);
        }
    }

    /** Consecutive records of one stream, becoming one chunk. */
    private static final class Piece {
        private final byte stream;
        private byte[] bytes = new byte[0];
        private int length;
        private long end;
        /** The last record end at which the bytes so far end on a whole character, and how many bytes that is. */
        private long wholeEnd;
        private int wholeLength;

        Piece(byte stream, long start) {
            this.stream = stream;
            this.end = start;
            this.wholeEnd = start;
        }

        void take(OutputRecords.Record record) {
            byte[] more = record.bytes();
            if (length + more.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + more.length, bytes.length * 2));
            }
            System.arraycopy(more, 0, bytes, length, more.length);
            length += more.length;
            end = record.end();
            if (endsOnWholeCharacter()) {
                wholeEnd = end;
                wholeLength = length;
            }
        }

        boolean endsOnWholeCharacter() {
            return Utf8Decoder.completeLength(bytes, 0, length) == length;
        }

        OutputChunk all() {
            return chunk(length, end);
        }

        /** All its records, but an incomplete character at the end left out. */
        OutputChunk wholeCharacters() {
            return chunk(Utf8Decoder.completeLength(bytes, 0, length), end);
        }

        /** The records up to the last one that ends on a whole character, or null if none does. */
        OutputChunk upToLastWholeRecord() {
            return wholeLength == 0 && length > 0 ? null : chunk(wholeLength, wholeEnd);
        }

        private OutputChunk chunk(int size, long next) {
            String name = switch (stream) {
                case 'o' -> "stdout";
                case 'e' -> "stderr";
                default -> "truncated";
            };
            return new OutputChunk(name, Arrays.copyOf(bytes, size), next);
        }
    }
}

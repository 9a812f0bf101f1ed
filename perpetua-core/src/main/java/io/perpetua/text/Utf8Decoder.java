package io.perpetua.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 text that arrives in pieces (pipe reads, records of an output file) as if it
 * had arrived whole: each piece is decoded up to its last whole character and the bytes of an
 * incomplete one are carried over to the next piece, so a character whose bytes straddle two
 * reads is not decoded as two U+FFFD. Malformed bytes become U+FFFD, as
 * {@code new String(bytes, UTF_8)} makes them. One decoder per stream; not thread-safe.
 */
public final class Utf8Decoder {

    private static final byte[] NOTHING = new byte[0];
    /** The longest UTF-8 sequence is 4 bytes, so an incomplete one is at most 3. */
    private static final int LONGEST_INCOMPLETE = 3;

    private byte[] incomplete = NOTHING;

    /**
     * The text of the whole characters that {@code bytes[offset, offset + length)}, after what
     * earlier pieces left incomplete, holds.
     */
    public String decode(byte[] bytes, int offset, int length) {
        byte[] piece = bytes;
        int from = offset;
        int to = offset + length;
        if (incomplete.length > 0) {
            piece = new byte[incomplete.length + length];
            System.arraycopy(incomplete, 0, piece, 0, incomplete.length);
            System.arraycopy(bytes, offset, piece, incomplete.length, length);
            from = 0;
            to = piece.length;
        }
        int whole = completeLength(piece, from, to - from);
        incomplete = Arrays.copyOfRange(piece, from + whole, to);
        return new String(piece, from, whole, StandardCharsets.UTF_8);
    }

    /** What the last piece left incomplete, as U+FFFD: the stream ended in the middle of a character. */
    public String finish() {
        String rest = new String(incomplete, StandardCharsets.UTF_8);
        incomplete = NOTHING;
        return rest;
    }

    /**
     * The text of {@code bytes[offset, offset + length)} without an incomplete character at
     * their end: for output cut at a limit, which must not end in half a character.
     */
    public static String wholeCharacters(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, completeLength(bytes, offset, length), StandardCharsets.UTF_8);
    }

    /**
     * How many of {@code bytes[offset, offset + length)} make whole characters: all of them but
     * an incomplete character at their end, whose remaining bytes have not arrived (or were cut
     * off). Malformed bytes count as whole: they decode to U+FFFD wherever the cut is.
     */
    public static int completeLength(byte[] bytes, int offset, int length) {
        int end = offset + length;
        for (int at = end - 1; at >= Math.max(offset, end - LONGEST_INCOMPLETE); at--) {
            int b = bytes[at] & 0xff;
            if (!isContinuation(b)) {
                return sequenceLength(b) > end - at ? at - offset : length;
            }
        }
        return length;
    }

    private static boolean isContinuation(int b) {
        return (b & 0xc0) == 0x80;
    }

    /** How many bytes the sequence that {@code lead} starts has; 1 for ASCII and for bytes that start none. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xc2 && lead <= 0xdf) {
            return 2;
        }
        if (lead >= 0xe0 && lead <= 0xef) {
            return 3;
        }
        if (lead >= 0xf0 && lead <= 0xf4) {
            return 4;
        }
        return 1;
    }
}

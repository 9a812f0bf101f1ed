package io.perpetua.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a process's output file as the supervisor writes it: records of pipe reads, appended. */
class OutputCursorTest {

    private static final String ID = "prabcdefghijklmn";
    private static final int PAGE = 1024 * 1024;

    @TempDir
    Path hostView;
    private final AtomicLong bytesRead = new AtomicLong();
    private ProcessFiles files;
    private Path output;

    @BeforeEach
    void createTheProcessDirectory() throws IOException {
        files = new ProcessFiles(hostView, file -> new CountingChannel(Files.newByteChannel(file), bytesRead));
        output = hostView.resolve(ProcessFiles.SANDBOX_DIRECTORY.substring(1)).resolve(ID).resolve("output");
        Files.createDirectories(output.getParent());
    }

    @Test
    void followingReadsEachByteOfTheFileOnceHoweverOftenItPolls() throws IOException {
        append('o', "first\n");
        OutputCursor cursor = files.cursor(ID, 5 + 6);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            append(i % 2 == 0 ? 'o' : 'e', "line " + i + " of a log that keeps growing\n");
            text.append(text(cursor.read(PAGE, false)));
            text.append(text(cursor.read(PAGE, false)));
        }
        assertThat(text.toString().lines()).hasSize(2000).startsWith("line 0 of a log that keeps growing");
        assertThat(bytesRead.get()).as("bytes read in 4000 polls of a file of %d bytes", Files.size(output))
                .isLessThanOrEqualTo(Files.size(output));
    }

    @Test
    void aCharacterWrittenOneByteAtATimeComesOutWholeWhilePolling() throws IOException {
        OutputCursor cursor = files.cursor(ID, 0);
        List<OutputChunk> chunks = new ArrayList<>();
        for (byte b : "é€😀".getBytes(StandardCharsets.UTF_8)) {
            append('o', new byte[] {b});
            chunks.addAll(cursor.read(PAGE, false));
        }
        assertThat(chunks).extracting(OutputChunk::text).containsExactly("é", "€", "😀");
        assertThat(chunks.getLast().next()).isEqualTo(Files.size(output));
    }

    @Test
    void recordsOfOneStreamMergeAndTheStreamsKeepTheirOrder() throws IOException {
        append('o', "a");
        append('o', "b");
        append('e', "c");
        append('o', "d");
        List<OutputChunk> chunks = files.cursor(ID, 0).read(PAGE, false);
        assertThat(chunks).extracting(OutputChunk::stream).containsExactly("stdout", "stderr", "stdout");
        assertThat(chunks).extracting(OutputChunk::text).containsExactly("ab", "c", "d");
        assertThat(chunks).extracting(OutputChunk::next).containsExactly(12L, 18L, 24L);
    }

    @Test
    void anIncompleteCharacterIsHeldBackUntilItsProcessEnds() throws IOException {
        append('o', "ok ");
        append('o', new byte[] {(byte) 0xe2, (byte) 0x82});
        OutputCursor cursor = files.cursor(ID, 0);
        assertThat(cursor.read(PAGE, false)).extracting(OutputChunk::text).containsExactly("ok ");
        assertThat(cursor.read(PAGE, false)).isEmpty();
        assertThat(cursor.read(PAGE, true)).extracting(OutputChunk::text).containsExactly("\uFFFD");
    }

    @Test
    void theOutputLimitDropsTheCharacterItCutInHalf() throws IOException {
        append('o', "ab");
        append('o', new byte[] {(byte) 0xf0, (byte) 0x9f});
        append('t', "");
        List<OutputChunk> chunks = files.cursor(ID, 0).read(PAGE, false);
        assertThat(chunks).extracting(OutputChunk::stream).containsExactly("stdout", "truncated");
        assertThat(chunks.getFirst().text()).isEqualTo("ab");
    }

    @Test
    void aPageEndsOnAWholeCharacterEvenPastItsSize() throws IOException {
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        for (byte b : smile) {
            append('o', new byte[] {b});
        }
        OutputCursor cursor = files.cursor(ID, 0);
        assertThat(cursor.read(1, false)).extracting(OutputChunk::text).containsExactly("😀");
    }

    @Test
    void anOffsetThatIsNotARecordStartIsRefused() throws IOException {
        assertThatThrownBy(() -> files.cursor(ID, 5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("past the end");
        append('o', "hello");
        assertThatThrownBy(() -> files.cursor(ID, 3)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).isEqualTo("from"));
        assertThat(files.cursor(ID, 10).read(PAGE, false)).isEmpty();
    }

    private void append(char stream, String text) throws IOException {
        append(stream, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One record, as the supervisor writes each read of a pipe. */
    private void append(char stream, byte[] bytes) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(5 + bytes.length).put((byte) stream).putInt(bytes.length).put(bytes).flip();
        try (SeekableByteChannel channel = Files.newByteChannel(output, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            channel.write(record);
        }
    }

    private static String text(List<OutputChunk> chunks) {
        return chunks.stream().map(OutputChunk::text).collect(Collectors.joining());
    }

    /** The output file, counting the bytes read from it. */
    private record CountingChannel(SeekableByteChannel file, AtomicLong bytesRead) implements SeekableByteChannel {

        @Override
        public int read(ByteBuffer destination) throws IOException {
            int read = file.read(destination);
            bytesRead.addAndGet(Math.max(0, read));
            return read;
        }

        @Override
        public int write(ByteBuffer source) {
            throw new UnsupportedOperationException("the output is only read");
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public SeekableByteChannel position(long position) throws IOException {
            file.position(position);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException("the output is only read");
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}

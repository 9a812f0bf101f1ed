package io.perpetua.runtime.gvisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

    private static final byte[] TEXT = "abc€😀".getBytes(StandardCharsets.UTF_8);

    @Test
    void charactersSplitAmongPipeReadsAreKeptWhole() {
        BoundedOutput output = new BoundedOutput(new OneByteAtATime(TEXT), 1024);
        output.run();
        assertThat(output.text()).isEqualTo("abc€😀");
        assertThat(output.truncated()).isFalse();
    }

    @Test
    void theLimitCuttingACharacterEndsTheTextBeforeIt() {
        BoundedOutput output = new BoundedOutput(5);
        output.keep(TEXT, 0, TEXT.length);
        assertThat(output.text()).isEqualTo("abc");
        assertThat(output.truncated()).isTrue();
    }

    @Test
    void theLimitFallingBetweenCharactersKeepsThemAll() {
        BoundedOutput output = new BoundedOutput(6);
        output.keep(TEXT, 0, 4);
        output.keep(TEXT, 4, TEXT.length - 4);
        assertThat(output.text()).isEqualTo("abc€");
        assertThat(output.truncated()).isTrue();
    }

    /** A pipe whose every read returns one byte, as a command that flushes after each byte gives them. */
    private static final class OneByteAtATime extends ByteArrayInputStream {
        OneByteAtATime(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int length) {
            return super.read(buffer, offset, Math.min(1, length));
        }
    }
}

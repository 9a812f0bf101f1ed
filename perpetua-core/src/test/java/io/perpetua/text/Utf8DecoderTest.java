package io.perpetua.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8DecoderTest {

    private static final byte[] MIXED = "aé€😀z".getBytes(StandardCharsets.UTF_8);

    @Test
    void charactersFedOneByteAtATimeComeOutWhole() {
        Utf8Decoder decoder = new Utf8Decoder();
        StringBuilder text = new StringBuilder();
        for (byte b : MIXED) {
            text.append(decoder.decode(new byte[] {b}, 0, 1));
        }
        assertThat(text.append(decoder.finish())).hasToString("aé€😀z");
    }

    @Test
    void aPieceEndingInsideACharacterGivesTheCharacterWithTheNextPiece() {
        Utf8Decoder decoder = new Utf8Decoder();
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.decode(euro, 0, 2)).isEmpty();
        assertThat(decoder.decode(euro, 2, 1)).isEqualTo("€");
    }

    @Test
    void aStreamThatEndsInsideACharacterFinishesWithAReplacementCharacter() {
        Utf8Decoder decoder = new Utf8Decoder();
        assertThat(decoder.decode(MIXED, 0, 5)).isEqualTo("aé");
        assertThat(decoder.finish()).isEqualTo("\uFFFD");
        assertThat(decoder.finish()).isEmpty();
    }

    @Test
    void completeLengthLeavesOutOnlyAnIncompleteLastCharacter() {
        assertThat(Utf8Decoder.completeLength(MIXED, 0, MIXED.length)).isEqualTo(MIXED.length);
        assertThat(Utf8Decoder.completeLength(MIXED, 0, 2)).isEqualTo(1);
        assertThat(Utf8Decoder.completeLength(MIXED, 0, 5)).isEqualTo(3);
        assertThat(Utf8Decoder.completeLength(MIXED, 0, 9)).isEqualTo(6);
        assertThat(Utf8Decoder.completeLength(MIXED, 4, 2)).as("a piece that starts inside a character").isEqualTo(2);
        assertThat(Utf8Decoder.completeLength(new byte[] {(byte) 0xff, (byte) 0xc0}, 0, 2)).as("malformed bytes").isEqualTo(2);
    }

    @Test
    void wholeCharactersLeavesOutTheCharacterACutSplit() {
        assertThat(Utf8Decoder.wholeCharacters(MIXED, 0, 5)).isEqualTo("aé");
        assertThat(Utf8Decoder.wholeCharacters(MIXED, 0, MIXED.length)).isEqualTo("aé€😀z");
    }

    @Test
    void anyBytesCutAnywhereDecodeAsTheyDoWhole() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = mostlyUtf8(random, random.nextInt(40));
            Utf8Decoder decoder = new Utf8Decoder();
            StringBuilder pieces = new StringBuilder();
            for (int at = 0; at < bytes.length; ) {
                int length = Math.min(bytes.length - at, 1 + random.nextInt(5));
                pieces.append(decoder.decode(bytes, at, length));
                at += length;
            }
            pieces.append(decoder.finish());
            assertThat(pieces.toString()).as("round %d", round).isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** Valid characters of every length, with now and then a stray, missing or malformed byte. */
    private static byte[] mostlyUtf8(Random random, int characters) {
        String[] samples = {"a", "é", "€", "😀", "\n"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < characters; i++) {
            byte[] character = samples[random.nextInt(samples.length)].getBytes(StandardCharsets.UTF_8);
            int kept = random.nextInt(10) == 0 ? random.nextInt(character.length) + 1 : character.length;
            out.write(character, 0, kept);
            if (random.nextInt(15) == 0) {
                out.write(random.nextInt(256));
            }
        }
        return out.toByteArray();
    }
}

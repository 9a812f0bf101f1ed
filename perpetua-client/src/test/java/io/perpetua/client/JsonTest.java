package io.perpetua.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void quotesBackslashesAndControlCharactersRoundTrip() {
        String tricky = "say \"hi\" \\ C:\\dir\\ \n\r\t\b\f \u0000 \u0001 \u001f \u007f /slash";

        String written = Json.write(tricky);

        assertThat(written).doesNotContain("\n", "\r", "\t", "\u0000", "\u001f").contains("\\u0000", "\\u001f", "\\\"", "\\\\");
        assertThat(Json.parse(written)).isEqualTo(tricky);
    }

    @Test
    void unicodeAndSurrogatePairsAreWrittenAsThemselvesAndRoundTripThroughUtf8() {
        String text = "héllo ✓ 日本語 😀 \u2028";

        String written = Json.write(text);
        String overTheWire = new String(written.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);

        assertThat(written).contains("😀", "日本語").contains("\\u2028");
        assertThat(Json.parse(overTheWire)).isEqualTo(text);
    }

    @Test
    void escapedSurrogatePairsDecodeToOneCharacter() {
        assertThat(Json.parse("\"\\ud83d\\ude00 \\u00e9\\u0041\\/\"")).isEqualTo("😀 éA/");
    }

    @Test
    void loneSurrogatesAreEscapedSoThatUtf8CannotMangleThem() {
        String lone = "a\ud800b\udc00";

        String written = Json.write(lone);
        String overTheWire = new String(written.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);

        assertThat(written).isEqualTo("\"a\\ud800b\\udc00\"");
        assertThat(Json.parse(overTheWire)).isEqualTo(lone);
    }

    @Test
    void objectsKeepTheirOrderAndNumbersParseByKind() {
        Object parsed = Json.parse(" {\"b\": 1, \"a\": [true, false, null, -2.5e3, 0, 12345678901234567890, 1E2]}\n");

        assertThat(parsed).isInstanceOf(Map.class);
        Map<?, ?> object = (Map<?, ?>) parsed;
        assertThat(List.copyOf(object.keySet())).isEqualTo(List.of("b", "a"));
        assertThat(object.get("b")).isEqualTo(1L);
        assertThat(object.get("a")).isEqualTo(Arrays.asList(true, false, null, -2500.0, 0L,
                new BigInteger("12345678901234567890"), 100.0));
    }

    @Test
    void valuesAreWrittenCompactlyInTheirIterationOrder() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("z", List.of(1, 2L, 2.5, true));
        object.put("a", null);
        object.put("nested", Map.of("k", "v"));
        object.put("list", new ArrayList<>(Arrays.asList("x", null)));

        assertThat(Json.write(object)).isEqualTo("{\"z\":[1,2,2.5,true],\"a\":null,\"nested\":{\"k\":\"v\"},\"list\":[\"x\",null]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "}", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":1,}", "{a:1}", "{'a':1}",
            "{\"a\":1}x", "{\"a\":1,\"a\":2}", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"raw\nnewline\"", "\"tab\there\"", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1e999",
            "tru", "nul", "True", "NaN", "Infinity", "[", "[[]", "\"\\"})
    void malformedInputIsRejectedSayingWhere(String text) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed JSON at character ");
    }

    @Test
    void aMessageSaysWhatWasExpected() {
        assertThatThrownBy(() -> Json.parse("{\"cmd\": [\"ls\" \"-l\"]}"))
                .hasMessage("malformed JSON at character 15: unexpected '\"', expected ']' or ',' in an array");
    }

    @Test
    void nestingDeeperThanTheLimitIsRejectedRatherThanOverflowingTheStack() {
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);

        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
    }

    @Test
    void onlyFiniteNumbersAndKnownTypesCanBeWritten() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write a java.lang.Object");
    }
}

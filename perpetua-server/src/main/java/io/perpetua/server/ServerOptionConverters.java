package io.perpetua.server;

import io.perpetua.lifecycle.HostMemory;
import io.perpetua.runtime.gvisor.NetworkConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Turn the text of a server option into its value, or say what is wrong with it. Picocli puts the
 * option in front of the message: {@code Invalid value for option '--port': '70000' is not a port
 * number from 0 to 65535}. A value may come from an environment variable, so the text is
 * stripped of surrounding white space first.
 */
final class ServerOptionConverters {

    private ServerOptionConverters() {
    }

    private static TypeConversionException invalid(String text, String expected) {
        return new TypeConversionException("'" + text + "' is not " + expected);
    }

    /** A positive duration: {@code 500ms}, {@code 15s}, {@code 10m}, {@code 2h}, {@code 1d}, or plain seconds. */
    static final class PositiveDuration implements ITypeConverter<Duration> {

        private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

        @Override
        public Duration convert(String text) {
            Matcher matcher = FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT));
            try {
                if (matcher.matches()) {
                    Duration duration = duration(Long.parseLong(matcher.group(1)), matcher.group(2));
                    if (!duration.isZero()) {
                        return duration;
                    }
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // too long to be a duration: reported below
            }
            throw invalid(text, "a positive duration such as 15s, 500ms, 10m or 2h");
        }

        private static Duration duration(long amount, String unit) {
            return switch (unit == null ? "s" : unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
    }

    /**
     * Bytes of memory: a size such as {@code 2g}, {@code 512MiB} or {@code 1048576}, or a share of
     * the host's memory from {@code 0%} to {@code 90%}.
     */
    static final class MemoryThreshold implements ITypeConverter<Long> {

        private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]i?b?|b)?");
        private static final Pattern SHARE = Pattern.compile("(\\d{1,2})%");

        @Override
        public Long convert(String text) {
            String value = text.strip().toLowerCase(Locale.ROOT);
            Matcher share = SHARE.matcher(value);
            if (share.matches() && Integer.parseInt(share.group(1)) <= 90) {
                return HostMemory.totalBytes() / 100 * Integer.parseInt(share.group(1));
            }
            Matcher size = SIZE.matcher(value);
            try {
                if (size.matches()) {
                    return Math.multiplyExact(Long.parseLong(size.group(1)), unit(size.group(2)));
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // too large to be a size: reported below
            }
            throw invalid(text, "a size such as 512m or 2g, nor a share of the host's memory from 0% to 90%");
        }

        private static long unit(String suffix) {
            return switch (suffix == null ? "b" : suffix.substring(0, 1)) {
                case "k" -> 1L << 10;
                case "m" -> 1L << 20;
                case "g" -> 1L << 30;
                case "t" -> 1L << 40;
                default -> 1;
            };
        }
    }

    /** A whole number within bounds; each subclass is one option's bounds. */
    abstract static class BoundedNumber implements ITypeConverter<Integer> {

        private final int min;
        private final int max;
        private final String expected;

        BoundedNumber(int min, int max, String expected) {
            this.min = min;
            this.max = max;
            this.expected = expected;
        }

        @Override
        public Integer convert(String text) {
            try {
                int number = Integer.parseInt(text.strip());
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // not a number: reported below
            }
            throw invalid(text, expected);
        }
    }

    /** A TCP port; 0 lets the system choose a free one. */
    static final class PortNumber extends BoundedNumber {
        PortNumber() {
            super(0, 65535, "a port number from 0 to 65535");
        }
    }

    /** How many sandboxes the warm pool keeps; each holds its memory while frozen. */
    static final class WarmPoolSize extends BoundedNumber {
        WarmPoolSize() {
            super(0, 64, "a whole number from 0 to 64");
        }
    }

    /** A limit per project. */
    static final class Limit extends BoundedNumber {
        Limit() {
            super(0, Integer.MAX_VALUE, "a whole number of zero or more (0: no limit)");
        }
    }

    /** A price: a finite number of zero or more. */
    static final class Price implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            try {
                double price = Double.parseDouble(text.strip());
                if (price >= 0 && Double.isFinite(price)) {
                    return price;
                }
            } catch (NumberFormatException e) {
                // not a number: reported below
            }
            throw invalid(text, "a price of zero or more, such as 0.08");
        }
    }

    /** Text of a given form; each subclass is one option's form. */
    abstract static class FormedText implements ITypeConverter<String> {

        private final Pattern form;
        private final String expected;

        FormedText(String form, String expected) {
            this.form = Pattern.compile(form);
            this.expected = expected;
        }

        @Override
        public String convert(String text) {
            String value = text.strip();
            if (!form.matcher(value).matches()) {
                throw invalid(text, expected);
            }
            return value;
        }
    }

    /** A currency's three-letter code, such as {@code USD}. */
    static final class CurrencyCode extends FormedText {
        CurrencyCode() {
            super("[A-Z]{3}", "a three-letter currency code such as USD or EUR");
        }
    }

    /** How sandboxes are networked: {@code sandbox} or {@code none}. */
    static final class NetworkMode extends FormedText {
        NetworkMode() {
            super("sandbox|none", "sandbox or none");
        }
    }

    /** The IPv4 /16 that sandbox addresses come from. */
    static final class Subnet implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            String subnet = text.strip();
            try {
                new NetworkConfig(true, subnet);
            } catch (IllegalArgumentException e) {
                throw invalid(text, "an IPv4 /16 such as 10.200.0.0/16");
            }
            return subnet;
        }
    }
}

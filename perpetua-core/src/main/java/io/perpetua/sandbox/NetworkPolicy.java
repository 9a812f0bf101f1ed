package io.perpetua.sandbox;

import io.perpetua.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a sandbox may open connections to, beyond what is always closed to it (the host and
 * other sandboxes). Without rules, the public internet is open and private ranges are closed.
 * {@code allowOut} wins over {@code denyOut}, and both over that default: {@code denyOut:
 * ["0.0.0.0/0"]} with an {@code allowOut} list lets a sandbox reach only what is listed, and an
 * {@code allowOut} entry can open one private address (a company's package mirror).
 *
 * @param allowOut IPv4 addresses, CIDR blocks or host names the sandbox may reach
 * @param denyOut  IPv4 addresses, CIDR blocks or host names the sandbox may not reach
 */
public record NetworkPolicy(List<String> allowOut, List<String> denyOut) {

    /** The default: the public internet open, private ranges closed. */
    public static final NetworkPolicy DEFAULT = new NetworkPolicy(List.of(), List.of());

    /** Most entries in each list. */
    public static final int MAX_ENTRIES = 64;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /**
     * Checks every entry and writes addresses in canonical form ({@code 10.1.2.3/32} for
     * {@code 10.1.2.3}, host bits cleared); host names are lower-cased.
     *
     * @throws InvalidInputException naming the entry, such as {@code network.allowOut[2]}
     */
    public NetworkPolicy {
        allowOut = entries(allowOut, "network.allowOut");
        denyOut = entries(denyOut, "network.denyOut");
    }

    /** Whether this is the default policy: nothing listed. */
    public boolean isDefault() {
        return allowOut.isEmpty() && denyOut.isEmpty();
    }

    /** Whether {@code entry}, checked by this class, is a host name rather than an address. */
    public static boolean isHostName(String entry) {
        return !IPV4.matcher(entry).matches();
    }

    private static List<String> entries(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        InvalidInputException.check(values.size() <= MAX_ENTRIES, field,
                field + " may hold at most " + MAX_ENTRIES + " entries but has " + values.size());
        List<String> canonical = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            canonical.add(entry(values.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(canonical);
    }

    private static String entry(String value, String field) {
        InvalidInputException.check(value != null, field, field + " must be a string but was null");
        String entry = value.strip().toLowerCase(Locale.ROOT);
        Matcher address = IPV4.matcher(entry);
        if (address.matches()) {
            return cidr(address, field, value);
        }
        InvalidInputException.check(HOST_NAME.matcher(entry).matches(), field,
                field + " must be an IPv4 address, a CIDR block such as 10.0.0.0/8, or a host name, but was '" + value + "'");
        return entry;
    }

    private static String cidr(Matcher address, String field, String value) {
        long bits = 0;
        for (int octet = 1; octet <= 4; octet++) {
            int part = Integer.parseInt(address.group(octet));
            InvalidInputException.check(part <= 255, field, field + " has an octet above 255: '" + value + "'");
            bits = bits << 8 | part;
        }
        int prefix = address.group(5) == null ? 32 : Integer.parseInt(address.group(5));
        InvalidInputException.check(prefix <= 32, field, field + " has a prefix longer than /32: '" + value + "'");
        long mask = prefix == 0 ? 0 : 0xFFFFFFFFL << (32 - prefix) & 0xFFFFFFFFL;
        long network = bits & mask;
        return (network >> 24 & 255) + "." + (network >> 16 & 255) + "." + (network >> 8 & 255) + "." + (network & 255) + "/" + prefix;
    }
}

package io.perpetua.runtime.gvisor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether sandboxes get a network, and from which addresses.
 *
 * @param enabled whether each sandbox gets its own network namespace and veth pair (with NAT to
 *                outside networks); without it a sandbox has loopback only
 * @param subnet  the IPv4 /16 from which each sandbox gets a /30, such as {@code 10.200.0.0/16}
 */
public record NetworkConfig(boolean enabled, String subnet) {

    private static final Pattern SLASH_16 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.0\\.0/16");

    /** No network: loopback only. */
    public static final NetworkConfig NONE = new NetworkConfig(false, "10.200.0.0/16");

    /** Checks that the subnet is a private IPv4 /16. */
    public NetworkConfig {
        Matcher matcher = subnet == null ? null : SLASH_16.matcher(subnet);
        if (matcher == null || !matcher.matches() || Integer.parseInt(matcher.group(1)) > 255 || Integer.parseInt(matcher.group(2)) > 255) {
            throw new IllegalArgumentException("subnet must be an IPv4 /16 such as 10.200.0.0/16 but was '" + subnet + "'");
        }
    }

    /** Sandbox networks from the default subnet, 10.200.0.0/16. */
    public static NetworkConfig sandboxes() {
        return new NetworkConfig(true, NONE.subnet());
    }

    /** The first two octets of the subnet, such as {@code 10.200}. */
    String prefix() {
        return subnet.substring(0, subnet.indexOf(".0.0/"));
    }
}

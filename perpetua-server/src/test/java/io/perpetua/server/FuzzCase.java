package io.perpetua.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request of the fuzzer as it goes over the wire: any method, target (path and query,
 * percent-encoded or not), headers and body, and what it was made to test.
 *
 * @param kinds   what is wrong with it, as the report counts requests: {@code body null}, {@code field huge}, …
 * @param detail  the operation and the part of it made wrong, for a failure's message
 * @param headers sent as they are, their characters as bytes (ISO-8859-1)
 * @param body    the body, or null for none (and no Content-Length)
 */
record FuzzCase(List<String> kinds, String detail, String method, String target, Map<String, String> headers, byte[] body) {

    FuzzCase {
        kinds = List.copyOf(kinds);
        headers = new LinkedHashMap<>(headers);
    }

    /** A request that is not one of the fuzzer's, for a test that needs to send what a URI cannot hold. */
    static FuzzCase of(String method, String target, Map<String, String> headers) {
        return new FuzzCase(List.of(), method + " " + target, method, target, headers, null);
    }

    /** The request's bytes, for a connection that closes after the answer. */
    byte[] bytes(String authority) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    boolean isHead() {
        return method.equals("HEAD");
    }

    /** The request in a line: method, target and body, each cut short, and what it tests. */
    String describe() {
        String shownBody = body == null ? "" : " with " + (body.length > 80
                ? abbreviate(new String(body, 0, 80, StandardCharsets.UTF_8)) + "… (" + body.length + " bytes)"
                : "'" + new String(body, StandardCharsets.UTF_8) + "'");
        return abbreviate(method) + " " + abbreviate(target) + shownBody + " [" + detail + "; " + String.join(", ", kinds) + "]";
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 160 ? printable.substring(0, 160) + "…" : printable;
    }
}

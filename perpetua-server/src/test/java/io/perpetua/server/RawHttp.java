package io.perpetua.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * HTTP/1.1 over a plain socket, one request per connection, for the fuzzer: a request can be any
 * bytes (bad escapes, raw bytes, a key twice), and an answer that breaks off, or never comes, is
 * seen as such instead of being retried or hidden by a client library. The request is written
 * while the answer is read, so an answer that comes before the whole body went out is read too.
 */
final class RawHttp {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /**
     * An answer to one request.
     *
     * @param headers names in lower case
     * @param stream  whether it is a stream of server-sent events, left after its headers
     * @param problem how the answer failed to come whole, or null when it did
     */
    record Answer(int status, Map<String, String> headers, byte[] body, boolean stream, String problem) {

        static Answer failed(String problem) {
            return new Answer(0, Map.of(), new byte[0], false, problem);
        }

        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;

    RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    Answer exchange(FuzzCase request) {
        byte[] bytes = request.bytes(host + ":" + port);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            // The writer ends when the socket closes, if it is still writing a body the daemon did not want.
            Thread.ofVirtual().name("fuzz-request-writer").start(() -> writeQuietly(socket, bytes));
            return decoded(read(new BufferedInputStream(socket.getInputStream()), request.isHead()));
        } catch (SocketTimeoutException e) {
            return Answer.failed("no answer within " + READ_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return Answer.failed("the connection broke: " + e.getMessage());
        }
    }

    /** The daemon may answer and close before it read the whole body; the answer tells, not the write. */
    private static void writeQuietly(Socket socket, byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // Answered early: the reader has the answer.
        }
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        // An interim answer (100 Continue) comes before the answer.
        while (statusLine != null && statusLine.matches("HTTP/1\\.\\d 1\\d\\d.*") && !statusLine.startsWith("101", 9)) {
            headers(in);
            statusLine = line(in);
        }
        if (statusLine == null) {
            return Answer.failed("no answer: the daemon closed the connection");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            return Answer.failed("not an HTTP answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = headers(in);
        if (head || status == 204 || status == 304 || status < 200) {
            return new Answer(status, headers, new byte[0], false, null);
        }
        if (headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
            return new Answer(status, headers, new byte[0], true, null);
        }
        if (headers.getOrDefault("transfer-encoding", "").contains("chunked")) {
            return chunked(in, status, headers);
        }
        String length = headers.get("content-length");
        if (length == null) {
            return new Answer(status, headers, in.readAllBytes(), false, null);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        String problem = body.length < Integer.parseInt(length)
                ? "cut off: " + body.length + " of the " + length + " bytes of Content-Length came" : null;
        return new Answer(status, headers, body, false, problem);
    }

    /** The answer with its body as it was before the daemon compressed it for a client that accepts gzip. */
    private static Answer decoded(Answer answer) {
        if (answer.problem() != null || !answer.header("Content-Encoding").contains("gzip") || answer.body().length == 0) {
            return answer;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(answer.body()))) {
            return new Answer(answer.status(), answer.headers(), in.readAllBytes(), answer.stream(), null);
        } catch (IOException e) {
            return new Answer(answer.status(), answer.headers(), answer.body(), answer.stream(), "a gzip body cut off or corrupt: " + e.getMessage());
        }
    }

    private static Map<String, String> headers(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.merge(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
        }
        return headers;
    }

    private static Answer chunked(InputStream in, int status, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                return new Answer(status, headers, body.toByteArray(), false, "cut off: the chunked body ended without its last chunk");
            }
            int length = Integer.parseInt(size.split(";", 2)[0].strip(), 16);
            if (length == 0) {
                return new Answer(status, headers, body.toByteArray(), false, null);
            }
            byte[] chunk = in.readNBytes(length);
            body.writeBytes(chunk);
            if (chunk.length < length || line(in) == null) {
                return new Answer(status, headers, body.toByteArray(), false, "cut off in the middle of a chunk");
            }
        }
    }

    /** A line without its CR LF, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}

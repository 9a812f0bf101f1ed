package io.perpetua.server.api;

import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * Sends to a client's WebSocket with backpressure. Javalin's {@code WsContext.send} queues the
 * frame and returns at once, holding on to the buffer: a relay that reuses its buffer would
 * send torn data, and a fast sandbox would fill the daemon's heap with a slow client's frames.
 * These send one frame at a time and say when it has gone. Quiet sockets are kept open with pings.
 */
final class WebSocketOutput {

    /** Well inside Jetty's 30 s idle timeout, which would otherwise close a quiet shell or tunnel. */
    private static final long PING_SECONDS = 15;

    private WebSocketOutput() {
    }

    /**
     * Pings the client regularly, so a socket that is open but quiet (a shell nobody types in, a
     * database connection between queries) is not closed for idleness.
     */
    static void keepOpen(WsContext client) {
        client.enableAutomaticPings(PING_SECONDS, TimeUnit.SECONDS);
    }

    /** Sends a binary frame, or part of a message, and completes when it has been written. */
    static CompletableFuture<Void> sendBinary(WsContext client, ByteBuffer data, boolean last) {
        Callback.Completable sent = new Callback.Completable();
        client.session.sendPartialBinary(data, last, sent);
        return sent;
    }

    /** Sends text, or part of a message, and completes when it has been written. */
    static CompletableFuture<Void> sendText(WsContext client, String data, boolean last) {
        Callback.Completable sent = new Callback.Completable();
        client.session.sendPartialText(data, last, sent);
        return sent;
    }

    /**
     * Sends a whole binary message and waits until it has been written, so the caller may reuse
     * its buffer.
     *
     * @return false if the client is gone
     */
    static boolean sendBinaryAndWait(WsContext client, ByteBuffer data) throws InterruptedException {
        try {
            sendBinary(client, data, true).get();
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }
}

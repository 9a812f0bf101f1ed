package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.lifecycle.SandboxService;
import io.perpetua.runtime.RunningCommand;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.text.Utf8Decoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code POST /exec} answered as a stream of events, for long commands: {@code stdout} and
 * {@code stderr} events as the command writes, then one {@code exit} event.
 */
final class ExecStream {

    private record Event(String name, String data) {
    }

    private static final Event DONE = new Event("", "");

    private ExecStream() {
    }

    static void run(Context ctx, SandboxService sandboxes, SandboxId id, ExecRequest request, JsonCodec json) {
        long started = System.nanoTime();
        sandboxes.stream(id, request, command -> {
            EventStream events = EventStream.open(ctx);
            BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> pump(command.stdout(), "stdout", queue));
            Thread.ofVirtual().start(() -> pump(command.stderr(), "stderr", queue));
            feed(command, request.stdin());
            try {
                for (int done = 0; done < 2; ) {
                    Event event = queue.take();
                    if (event == DONE) {
                        done++;
                    } else {
                        events.send(event.name(), null, event.data());
                    }
                }
                int exitCode = command.waitFor();
                long durationMs = (System.nanoTime() - started) / 1_000_000;
                boolean timedOut = (exitCode == 143 || exitCode == 137) && durationMs >= request.timeout().toMillis();
                events.send("exit", null, json.write(Map.of("exitCode", exitCode, "durationMs", durationMs, "timedOut", timedOut)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (UncheckedIOException e) {
                // The client went away; closing the command (on return) ends it.
            }
            return null;
        });
    }

    /** Queues what the command writes as events of whole characters, however its bytes were split among reads. */
    private static void pump(InputStream in, String stream, BlockingQueue<Event> queue) {
        byte[] buffer = new byte[16 * 1024];
        Utf8Decoder text = new Utf8Decoder();
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                queueText(queue, stream, text.decode(buffer, 0, n));
            }
        } catch (IOException e) {
            // The command's end closed the pipe.
        } finally {
            queueText(queue, stream, text.finish());
            queue.add(DONE);
        }
    }

    private static void queueText(BlockingQueue<Event> queue, String stream, String text) {
        if (!text.isEmpty()) {
            queue.add(new Event(stream, text));
        }
    }

    private static void feed(RunningCommand command, String stdin) {
        try (OutputStream in = command.stdin()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The command does not read its input; that is its business.
        }
    }
}

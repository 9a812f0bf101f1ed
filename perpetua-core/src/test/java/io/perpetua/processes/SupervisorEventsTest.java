package io.perpetua.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.perpetua.runtime.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The news a supervisor's events bring a follower: a wait ends when one comes, and lasts its time when none does. */
class SupervisorEventsTest {

    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(30);

    @Test
    void anEventEndsAWaitAndOneThatCameBeforeTheWaitEndsItAtOnce() throws Exception {
        PipedOutputStream supervisor = new PipedOutputStream();
        try (SupervisorEvents events = new SupervisorEvents(new Supervisor(), new PipedInputStream(supervisor))) {
            supervisor.write('o');
            supervisor.flush();
            long started = System.nanoTime();
            events.await(LONG_WAIT);
            assertThat(System.nanoTime() - started).as("the event came before the wait").isLessThan(LONG_WAIT / 2);
            assertThat(events.live()).isTrue();

            Thread writer = Thread.ofVirtual().start(() -> {
                sleep(200);
                write(supervisor, 'x');
            });
            started = System.nanoTime();
            events.await(LONG_WAIT);
            assertThat(System.nanoTime() - started).as("the event ended the wait").isLessThan(LONG_WAIT / 2);
            writer.join();
        }
    }

    @Test
    void withoutNewsAWaitLastsItsTime() throws Exception {
        PipedOutputStream supervisor = new PipedOutputStream();
        try (SupervisorEvents events = new SupervisorEvents(new Supervisor(), new PipedInputStream(supervisor))) {
            long wait = TimeUnit.MILLISECONDS.toNanos(300);
            long started = System.nanoTime();
            events.await(wait);
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(wait);
        }
    }

    @Test
    void whenTheEventsEndTheFollowerNoLongerHearsNews() throws Exception {
        PipedOutputStream supervisor = new PipedOutputStream();
        try (SupervisorEvents events = new SupervisorEvents(new Supervisor(), new PipedInputStream(supervisor))) {
            supervisor.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.live());
            long started = System.nanoTime();
            events.await(LONG_WAIT);
            assertThat(System.nanoTime() - started).as("the end itself is news, once").isLessThan(LONG_WAIT / 2);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, char event) {
        try {
            out.write(event);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A supervisor whose streams the test does not use. */
    private static final class Supervisor implements RunningCommand {
        @Override
        public OutputStream stdin() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream stdout() {
            return InputStream.nullInputStream();
        }

        @Override
        public InputStream stderr() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}

package io.perpetua.lifecycle;

import static io.perpetua.lifecycle.Engine.IDLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.perpetua.access.ProjectId;
import io.perpetua.events.EventFeed;
import io.perpetua.events.SandboxEvent;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feed of lifecycle transitions: in order, per project, and resumable after a reconnect. */
class EventFeedTest {

    @TempDir
    Path snapshotRoot;

    @Test
    void subscribersSeeTheirProjectsTransitionsInOrderAndCanPickUpWhereTheyLeft() throws Exception {
        Engine engine = new Engine(snapshotRoot);
        SandboxService service = engine.start();
        ProjectId blue = ProjectId.of("blue");
        try (EventFeed.Subscription mine = engine.events.subscribe(ProjectId.DEFAULT, 0);
             EventFeed.Subscription theirs = engine.events.subscribe(blue, 0)) {
            SandboxId id = service.create(SandboxSpec.defaults()).id();
            engine.clock.advance(IDLE);
            service.tick();
            service.hibernate(id);

            List<SandboxEvent> seen = take(mine, 3);
            assertThat(seen).extracting(SandboxEvent::to)
                    .containsExactly(SandboxState.RUNNING, SandboxState.STANDBY, SandboxState.HIBERNATED);
            assertThat(seen).extracting(SandboxEvent::from)
                    .containsExactly(SandboxState.CREATING, SandboxState.RUNNING, SandboxState.STANDBY);
            assertThat(seen.get(1).at()).isEqualTo(Engine.START.plus(IDLE));
            assertThat(theirs.next(Duration.ZERO)).isNull();

            try (EventFeed.Subscription again = engine.events.subscribe(ProjectId.DEFAULT, seen.getFirst().id())) {
                assertThat(take(again, 2)).containsExactlyElementsOf(seen.subList(1, 3));
            }
        }
    }

    private static List<SandboxEvent> take(EventFeed.Subscription subscription, int count) throws InterruptedException {
        List<SandboxEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(subscription.next(Duration.ofSeconds(1)));
        }
        assertThat(subscription.next(Duration.ZERO)).isNull();
        return events;
    }
}

package io.perpetua.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perpetua.sandbox.SandboxState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Reads a sandbox's usage ledger through the API and checks that every moment of its life is
 * counted once: one interval after the other in time order, each a legal move of the state
 * machine from the one before, together as long as the sandbox has lived.
 */
final class LedgerCheck {

    private LedgerCheck() {
    }

    /** One interval of a sandbox's timeline. */
    record Interval(SandboxState state, Instant from, Instant to, double seconds) {
    }

    /** The sandbox's timeline, oldest first. */
    static List<Interval> timeline(Api api, String id) {
        Api.Response response = api.get("/v1/sandboxes/" + id + "/timeline");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<Interval> intervals = new ArrayList<>();
        for (JsonNode interval : response.json().path("intervals")) {
            String to = interval.path("to").isNull() ? null : interval.path("to").asString();
            intervals.add(new Interval(SandboxState.fromWireName(interval.path("state").asString()),
                    Instant.parse(interval.path("from").asString()), to == null ? null : Instant.parse(to), interval.path("seconds").asDouble()));
        }
        return intervals;
    }

    /** Checks the live sandbox's timeline; returns it for further checks. */
    static List<Interval> assertCountedOnce(Api api, String id) {
        Instant created = Instant.parse(api.get("/v1/sandboxes/" + id).json().path("createdAt").asString());
        List<Interval> intervals = timeline(api, id);
        Instant now = Instant.now();
        assertThat(intervals).as("the ledger of %s", id).isNotEmpty();
        assertThat(intervals.getFirst().state()).as("%s starts running", id).isEqualTo(SandboxState.RUNNING);
        assertThat(Duration.between(created, intervals.getFirst().from()).abs()).as("%s's first line at its creation", id)
                .isLessThan(Duration.ofSeconds(2));
        double total = 0;
        for (int i = 0; i < intervals.size(); i++) {
            Interval interval = intervals.get(i);
            assertThat(interval.seconds()).as("%s interval %d: %s", id, i, intervals).isGreaterThanOrEqualTo(0);
            if (i > 0) {
                SandboxState before = intervals.get(i - 1).state();
                assertThat(before.mayMoveTo(interval.state())).as("%s: %s then %s is a move of the state machine: %s",
                        id, before, interval.state(), intervals).isTrue();
            }
            total += interval.seconds();
        }
        double lived = Duration.between(intervals.getFirst().from(), now).toMillis() / 1000.0;
        assertThat(total).as("%s: the intervals add up to its life", id).isCloseTo(lived, within(2.0));
        return intervals;
    }
}

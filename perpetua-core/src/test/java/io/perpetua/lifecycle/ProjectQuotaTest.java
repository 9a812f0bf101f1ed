package io.perpetua.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.access.ProjectId;
import io.perpetua.error.QuotaExceededException;
import io.perpetua.sandbox.ExecRequest;
import io.perpetua.sandbox.SandboxId;
import io.perpetua.sandbox.SandboxSpec;
import io.perpetua.sandbox.SandboxState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectQuotaTest {

    private static final ProjectId BLUE = ProjectId.of("blue");
    private static final ProjectId GREEN = ProjectId.of("green");

    @TempDir
    Path snapshotRoot;

    @Test
    void aProjectCannotHoldMoreSandboxesThanItsLimitWhileOthersAreNotAffected() {
        SandboxService service = new Engine(snapshotRoot).quota(new ProjectQuota(2, 0)).start();
        service.create(BLUE, SandboxSpec.defaults());
        SandboxId second = service.create(BLUE, SandboxSpec.defaults()).id();

        assertThatThrownBy(() -> service.create(BLUE, SandboxSpec.defaults()))
                .isInstanceOf(QuotaExceededException.class).hasMessageContaining("project blue has 2 sandboxes");
        assertThat(service.create(GREEN, SandboxSpec.defaults()).state()).isEqualTo(SandboxState.RUNNING);

        service.delete(second);
        assertThat(service.create(BLUE, SandboxSpec.defaults()).state()).as("a deleted sandbox frees its slot").isEqualTo(SandboxState.RUNNING);
    }

    @Test
    void sleepingSandboxesDoNotCountAsRunningButWakingOneNeedsASlot() {
        SandboxService service = new Engine(snapshotRoot).quota(new ProjectQuota(0, 1)).start();
        SandboxId first = service.create(BLUE, SandboxSpec.defaults()).id();
        assertThatThrownBy(() -> service.create(BLUE, SandboxSpec.defaults()))
                .isInstanceOf(QuotaExceededException.class).hasMessageContaining("1 sandboxes running");

        service.standby(first);
        SandboxId second = service.create(BLUE, SandboxSpec.defaults()).id();

        assertThatThrownBy(() -> service.exec(first, ExecRequest.of("true")))
                .isInstanceOf(QuotaExceededException.class).extracting("code").isEqualTo("project_running_limit");
        assertThat(service.get(first).state()).as("a refused wake leaves it asleep").isEqualTo(SandboxState.STANDBY);
        service.standby(second);
        assertThat(service.exec(first, ExecRequest.of("true")).exitCode()).isZero();
    }

    /** Repeated: a create counted twice (marked and already among the engine's) refused another in 4 % of runs. */
    @RepeatedTest(50)
    void racingCreatesCannotBothTakeTheLastSlot() throws Exception {
        SandboxService service = new Engine(snapshotRoot).quota(new ProjectQuota(3, 0)).start();
        List<Callable<Boolean>> creates = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            creates.add(() -> {
                try {
                    service.create(BLUE, SandboxSpec.defaults());
                    return true;
                } catch (QuotaExceededException e) {
                    return false;
                }
            });
        }
        int created = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Boolean> result : threads.invokeAll(creates)) {
                created += result.get() ? 1 : 0;
            }
        }

        assertThat(created).isEqualTo(3);
        assertThat(service.list()).hasSize(3);
    }
}

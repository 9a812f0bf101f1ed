package io.perpetua.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The table of legal moves: the diagram of DESIGN.md. */
class SandboxStateTest {

    @Test
    void theLifecycleOfDesignMdIsAllowed() {
        assertThat(SandboxState.CREATING.mayMoveTo(SandboxState.RUNNING)).isTrue();
        assertThat(SandboxState.RUNNING.mayMoveTo(SandboxState.STANDBY)).isTrue();
        assertThat(SandboxState.STANDBY.mayMoveTo(SandboxState.HIBERNATED)).isTrue();
        assertThat(SandboxState.STANDBY.mayMoveTo(SandboxState.RUNNING)).isTrue();
        assertThat(SandboxState.HIBERNATED.mayMoveTo(SandboxState.RUNNING)).isTrue();
        assertThat(SandboxState.FAILED.mayMoveTo(SandboxState.RUNNING)).as("resumed from its last snapshot").isTrue();
    }

    @Test
    void everyStateButDeletedMayBeDeletedAndNothingComesBack() {
        Arrays.stream(SandboxState.values()).filter(state -> state != SandboxState.DELETED)
                .forEach(state -> assertThat(state.mayMoveTo(SandboxState.DELETED)).as(state.wireName()).isTrue());
        Arrays.stream(SandboxState.values())
                .forEach(state -> assertThat(SandboxState.DELETED.mayMoveTo(state)).as(state.wireName()).isFalse());
    }

    @Test
    void movesTheDiagramDoesNotHaveAreRefused() {
        assertThat(SandboxState.CREATING.mayMoveTo(SandboxState.STANDBY)).isFalse();
        assertThat(SandboxState.CREATING.mayMoveTo(SandboxState.HIBERNATED)).isFalse();
        assertThat(SandboxState.HIBERNATED.mayMoveTo(SandboxState.STANDBY)).as("a restore makes it run").isFalse();
        assertThat(SandboxState.RUNNING.mayMoveTo(SandboxState.CREATING)).isFalse();
        assertThat(SandboxState.RUNNING.mayMoveTo(SandboxState.RUNNING)).isFalse();
    }

    @Test
    void anIllegalMoveNamesBothStatesAndTheLegalOnes() {
        assertThatThrownBy(() -> SandboxState.DELETED.requireMoveTo(SandboxState.RUNNING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("from deleted to running");
        assertThatThrownBy(() -> SandboxState.HIBERNATED.requireMoveTo(SandboxState.STANDBY))
                .hasMessageContaining("[running, deleted, failed]");
    }
}

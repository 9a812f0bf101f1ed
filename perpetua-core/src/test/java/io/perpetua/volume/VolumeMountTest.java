package io.perpetua.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perpetua.error.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where a volume may be mounted, how mounts of one sandbox fit together, and what names a volume may have. */
class VolumeMountTest {

    @ParameterizedTest
    @ValueSource(strings = {"/data", "/mnt/shared", "/root/work", "/home/user/project-1", "/workspace/data.v2", "/tmp/x", "/srv/@cache"})
    void pathsAMountMayTake(String path) {
        assertThatCode(() -> VolumeMount.checkPath(path)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "", "data", "/proc", "/proc/self", "/sys", "/dev/shm", "/usr/local", "/etc", "/lib64", "/opt/perpetua",
            "/opt/perpetua/bin", "/.perpetua-mounts", "/.perpetua-mounts/vol1", "/data/../etc", "/data/./x", "//data", "/data/",
            "/da ta", "/data;rm", "/data$(id)", "/data\nx"})
    void pathsThatAreRefused(String path) {
        assertThatThrownBy(() -> VolumeMount.checkPath(path)).isInstanceOf(InvalidInputException.class)
                .extracting("field").isEqualTo("mountPath");
    }

    @Test
    void aParentOfTheSystemsDirectoriesIsRefusedToo() {
        assertThatThrownBy(() -> VolumeMount.checkPath("/opt")).hasMessageContaining("/opt/perpetua");
    }

    @Test
    void mountsOfOneSandboxMayNotShareAPathNestOrRepeatAVolume() {
        assertThatCode(() -> VolumeMount.checkTogether(List.of(mount("vol1", "/data"), mount("vol2", "/data2")))).doesNotThrowAnyException();
        assertThatThrownBy(() -> VolumeMount.checkTogether(List.of(mount("vol1", "/data"), mount("vol2", "/data"))))
                .hasMessageContaining("two mounts on one path");
        assertThatThrownBy(() -> VolumeMount.checkTogether(List.of(mount("vol1", "/data"), mount("vol2", "/data/inner"))))
                .hasMessageContaining("inside one another");
        assertThatThrownBy(() -> VolumeMount.checkTogether(List.of(mount("vol1", "/data"), mount("vol1", "/other"))))
                .extracting("field").isEqualTo("volume");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a..b", "with/slash", "", "UPPER", "-leading", "dot.name", "volabcdefghijkl2"})
    void namesThatAreRefused(String name) {
        assertThatThrownBy(() -> Volume.checkName(name)).isInstanceOf(InvalidInputException.class).extracting("field").isEqualTo("name");
    }

    @Test
    void idsAreTellableFromNames() {
        assertThat(Volume.isId("volabcdefghijkl2")).isTrue();
        assertThat(Volume.isId("drvabcdefghijkl2")).isTrue();
        assertThat(Volume.isId("project-data")).isFalse();
        assertThatCode(() -> Volume.checkName("project-data")).doesNotThrowAnyException();
    }

    private static VolumeMount mount(String volume, String path) {
        return new VolumeMount(volume, path, false);
    }
}

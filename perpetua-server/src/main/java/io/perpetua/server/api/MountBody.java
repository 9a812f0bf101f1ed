package io.perpetua.server.api;

import io.perpetua.access.ProjectId;
import io.perpetua.error.InvalidInputException;
import io.perpetua.volume.Volume;
import io.perpetua.volume.VolumeMount;
import io.perpetua.volume.Volumes;
import java.util.ArrayList;
import java.util.List;

/**
 * A volume or drive to mount: {@code {"volume": "data", "mountPath": "/data", "readOnly": false}}
 * in a create's {@code volumes}, or with {@code "drive"} in its {@code drives} and in
 * {@code POST /v1/sandboxes/{id}/drives}. The volume is named by its id or its name.
 */
record MountBody(String volume, String drive, String mountPath, Boolean readOnly) {

    /** The mounts that {@code volumes} and {@code drives} (either may be null) ask for, each checked. */
    static List<VolumeMount> resolve(Volumes registry, ProjectId project, List<MountBody> volumes, List<MountBody> drives) {
        List<VolumeMount> mounts = new ArrayList<>();
        add(mounts, registry, project, Volume.Kind.VOLUME, "volumes", volumes);
        add(mounts, registry, project, Volume.Kind.DRIVE, "drives", drives);
        VolumeMount.checkTogether(mounts);
        return mounts;
    }

    private static void add(List<VolumeMount> mounts, Volumes registry, ProjectId project, Volume.Kind kind, String list,
                            List<MountBody> bodies) {
        if (bodies == null) {
            return;
        }
        for (int i = 0; i < bodies.size(); i++) {
            String field = list + "[" + i + "]";
            MountBody body = bodies.get(i);
            InvalidInputException.check(body != null, field, field + " must be {" + kind.word() + ", mountPath, readOnly?}");
            mounts.add(body.resolve(registry, project, kind, field));
        }
    }

    /** The mount this body asks for, of a volume or drive of {@code project}. */
    VolumeMount resolve(Volumes registry, ProjectId project, Volume.Kind kind, String field) {
        String reference = kind == Volume.Kind.VOLUME ? volume : drive;
        String other = kind == Volume.Kind.VOLUME ? drive : volume;
        InvalidInputException.check(other == null, field, field + " mounts a " + kind.word() + ": name it with \"" + kind.word() + "\"");
        InvalidInputException.check(mountPath != null, field + ".mountPath", field + ".mountPath is required: where the "
                + kind.word() + " appears in the sandbox, such as /data");
        try {
            VolumeMount.checkPath(mountPath);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(field + ".mountPath", e.getMessage());
        }
        return registry.resolve(project, kind, field + "." + kind.word(), reference, mountPath, Boolean.TRUE.equals(readOnly));
    }

    /** A mount as the API shows it in a sandbox. */
    record View(String kind, String id, String name, String mountPath, boolean readOnly) {
    }
}

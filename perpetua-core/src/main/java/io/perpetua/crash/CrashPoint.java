package io.perpetua.crash;

import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named steps between which a multi-step operation can be interrupted. Each operation calls
 * {@link #reach()} as it passes one; in production that does nothing. A test sets
 * {@value #VARIABLE} to a point's {@link #id() id} (such as {@code hibernate.checkpointed}),
 * and the daemon halts there as abruptly as a {@code kill -9} would (no shutdown hook, no
 * finally block), exiting with {@value #EXIT_CODE}; the test then starts it again and checks
 * that nothing was lost. The constants are the complete list, so such a test can walk them all.
 */
public enum CrashPoint {

    CREATE_RECORDED("create.recorded", "the sandbox is in the store as creating; its container is not started"),
    CREATE_STARTED("create.started", "its container runs; the store still says creating"),
    STANDBY_FROZEN("standby.frozen", "its processes are frozen; the engine has not recorded standby"),
    WAKE_THAWED("wake.thawed", "a standby sandbox's processes run again; the engine has not recorded it"),
    RECLAIM_RECLAIMED("reclaim.reclaimed", "a standby sandbox's memory is given back to the host; the engine has not recorded it"),
    HIBERNATE_BEGUN("hibernate.begun", "the hibernation is recorded as begun; nothing is checkpointed yet"),
    HIBERNATE_CHECKPOINTING("hibernate.checkpointing", "runsc checkpoint runs; the image is being written"),
    HIBERNATE_CHECKPOINTED("hibernate.checkpointed", "the image is written and the container gone; the snapshot is not sealed"),
    SNAPSHOT_SYNCED("snapshot.synced", "a new snapshot's files are on disk and checksummed, not yet under their sealed name"),
    HIBERNATE_SEALED("hibernate.sealed", "the snapshot is sealed; the store still points at the previous one"),
    HIBERNATE_RECORDED("hibernate.recorded", "the store says hibernated; the superseded snapshot is not deleted yet"),
    RESTORE_RESTORING("restore.restoring", "runsc restore runs; the new container is coming up"),
    RESTORE_RESTORED("restore.restored", "the restored container runs; the store still says hibernated"),
    SAVE_BEGUN("saved-snapshot.begun", "a saved snapshot is recorded as begun; nothing is checkpointed yet"),
    SAVE_COPYING("saved-snapshot.copying", "the checkpoint is written and the container gone; the sandbox's disk is frozen and being copied"),
    SAVE_TAKEN("saved-snapshot.taken", "the sandbox runs again in its next container; the saved snapshot is not sealed"),
    SAVE_SEALED("saved-snapshot.sealed", "the saved snapshot is sealed; the store does not know it yet"),
    SAVE_COPIED("saved-snapshot.copied", "a hibernated sandbox's image and disk are copied and sealed; the store does not know the snapshot"),
    ROLLBACK_BEGUN("rollback.begun", "a rollback is recorded as begun; the sandbox's container still runs"),
    ROLLBACK_REMOVED("rollback.removed", "the sandbox's container is gone; its disk is not replaced yet"),
    ROLLBACK_RESTORED("rollback.restored", "the sandbox runs from the saved snapshot; the store still has its former container"),
    FORK_STARTED("fork.started", "a sandbox made from a saved snapshot runs; the store still says creating"),
    TEMPLATE_BUILDING("template.building", "a template's build sandbox exists; its setup has not run; the template is building"),
    TEMPLATE_SAVED("template.saved", "a template's state is saved as a snapshot; the template is still recorded as building"),
    IMAGE_UNPACKING("image.unpacking", "an OCI image is unpacked in a work directory, not yet renamed into place"),
    IMAGE_UNPACKED("image.unpacked", "an imported image's root is in place; no template records it yet"),
    VOLUME_MADE("volume.made", "a volume's disk is made and mounted on the host; the store does not know the volume"),
    VOLUME_FORGOTTEN("volume.forgotten", "the store has a volume as deleted; its disk is still on the host"),
    MOUNT_RECORDED("mount.recorded", "a drive's mount into a running sandbox is recorded; nothing is mounted yet"),
    DELETE_BEGUN("delete.begun", "the deletion is recorded as begun; nothing is removed yet"),
    DELETE_DESTROYED("delete.destroyed", "containers, mounts, network and files are gone; the snapshot and the record are not"),
    WARM_POOL_STARTED("warm-pool.started", "a pooled sandbox's container runs; it is neither frozen nor in the pool yet"),
    LEDGER_APPENDING("ledger.appending", "state changes are queued for the usage ledger, not written yet");

    /** The environment variable naming the point to halt at. */
    public static final String VARIABLE = "PERPETUA_CRASH_AT";
    /** The daemon's exit status when it halts at a crash point. */
    public static final int EXIT_CODE = 86;

    private static final Logger log = LoggerFactory.getLogger(CrashPoint.class);
    private static volatile Optional<CrashPoint> armed;

    private final String id;
    private final String description;

    CrashPoint(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The point's name, as {@value #VARIABLE} takes it: {@code hibernate.checkpointed}. */
    public String id() {
        return id;
    }

    /** The operation this point belongs to, such as {@code hibernate}. */
    public String operation() {
        return id.substring(0, id.indexOf('.'));
    }

    /** Where the operation stands at this point. */
    public String description() {
        return description;
    }

    /** Halts the process here if this is the armed point; does nothing otherwise. */
    public void reach() {
        if (armed().orElse(null) == this) {
            log.error("halting at crash point {} ({}), as {} asks", id, description, VARIABLE);
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    /**
     * The point {@value #VARIABLE} names, if it is set; the daemon asks at start, so that a
     * misspelt name stops it at once instead of at the point it would never reach.
     *
     * @throws IllegalArgumentException if the variable names no point
     */
    public static Optional<CrashPoint> armed() {
        Optional<CrashPoint> point = armed;
        if (point == null) {
            point = parse(System.getenv(VARIABLE));
            armed = point;
        }
        return point;
    }

    /** The point named {@code id}, if there is one. */
    public static Optional<CrashPoint> byId(String id) {
        return Arrays.stream(values()).filter(point -> point.id.equals(id)).findFirst();
    }

    private static Optional<CrashPoint> parse(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(byId(id.strip()).orElseThrow(() -> new IllegalArgumentException(VARIABLE + " names no crash point: '"
                + id + "'; known: " + Arrays.stream(values()).map(CrashPoint::id).toList())));
    }
}

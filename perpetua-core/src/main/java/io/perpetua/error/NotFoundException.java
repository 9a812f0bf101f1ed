package io.perpetua.error;

/** The addressed resource does not exist, or no longer exists. */
public final class NotFoundException extends PerpetuaException {

    /**
     * @param code    stable error code, such as {@code sandbox_not_found}
     * @param message human-readable explanation naming the resource
     */
    public NotFoundException(String code, String message) {
        super(code, message, null);
    }

    /**
     * No sandbox with {@code id}: the one answer for a sandbox that never existed, was deleted, or
     * belongs to another project, so a caller cannot tell them apart.
     */
    public static NotFoundException sandbox(String id) {
        return new NotFoundException("sandbox_not_found", "no sandbox with id '" + id + "'");
    }

    /** No saved snapshot with {@code id}: never taken, deleted, or another project's. */
    public static NotFoundException snapshot(String id) {
        return new NotFoundException("snapshot_not_found", "no snapshot with id '" + id + "'");
    }
}

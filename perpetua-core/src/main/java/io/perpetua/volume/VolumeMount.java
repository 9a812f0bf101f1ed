package io.perpetua.volume;

import io.perpetua.error.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A volume or drive mounted into a sandbox.
 *
 * @param volumeId  the volume's id
 * @param mountPath the absolute path in the sandbox where its files appear
 * @param readOnly  whether the sandbox may only read it
 */
public record VolumeMount(String volumeId, String mountPath, boolean readOnly) {

    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._@+-]+)+");
    /**
     * Paths a mount may be neither at, nor inside, nor above: the sandbox's kernel interfaces
     * (covering them would blind or break it) and the system's programs and configuration.
     */
    static final List<String> RESERVED = List.of("/proc", "/sys", "/dev", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64",
            "/opt/perpetua", "/.perpetua-mounts");
    private static final int MAX_PATH = 255;

    /** Checks that every part is present and that the path is one a mount may take. */
    public VolumeMount {
        Objects.requireNonNull(volumeId, "volumeId");
        checkPath(mountPath);
    }

    /**
     * @throws InvalidInputException naming {@code mountPath} unless it is an absolute, normal path
     *                               (no {@code .} or {@code ..} parts) of at most 255 characters,
     *                               not {@code /} and clear of the system's own directories
     */
    public static void checkPath(String path) {
        InvalidInputException.check(path != null && path.length() <= MAX_PATH && PATH.matcher(path).matches(), "mountPath",
                "mountPath must be an absolute path of at most " + MAX_PATH + " characters of [A-Za-z0-9._@+-] separated by '/', "
                        + "other than '/', but was '" + path + "'");
        for (String part : path.substring(1).split("/")) {
            InvalidInputException.check(!part.equals(".") && !part.equals(".."), "mountPath",
                    "mountPath must not contain '.' or '..' but was '" + path + "'");
        }
        for (String reserved : RESERVED) {
            InvalidInputException.check(!within(path, reserved) && !within(reserved, path), "mountPath",
                    "mountPath " + path + " would cover " + reserved + ", which the sandbox's system needs; choose a path such as /data or /mnt/"
                            + path.substring(path.lastIndexOf('/') + 1));
        }
    }

    /**
     * @throws InvalidInputException naming {@code mountPath} if two mounts share a path or one is
     *                               inside another, or naming the volume if it is mounted twice
     */
    public static void checkTogether(List<VolumeMount> mounts) {
        Set<String> volumes = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount mount = mounts.get(i);
            InvalidInputException.check(volumes.add(mount.volumeId()), "volume",
                    "volume " + mount.volumeId() + " is mounted twice; mount it once");
            for (int j = 0; j < i; j++) {
                String other = mounts.get(j).mountPath();
                InvalidInputException.check(!within(mount.mountPath(), other) && !within(other, mount.mountPath()), "mountPath",
                        mount.mountPath().equals(other) ? "two mounts on one path, " + other
                                : "mount paths " + other + " and " + mount.mountPath() + " are inside one another");
            }
        }
    }

    /** Whether {@code path} is {@code directory} or below it. */
    private static boolean within(String path, String directory) {
        return path.equals(directory) || path.startsWith(directory + "/");
    }
}

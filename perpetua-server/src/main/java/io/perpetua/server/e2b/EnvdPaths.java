package io.perpetua.server.e2b;

import io.perpetua.files.SandboxPath;

/**
 * Paths as envd takes them: absolute, or relative to the home of the user the call names
 * ({@code root}: {@code /root}; another user: {@code /home/<user>}; none: {@code /root}, the
 * user Perpetua runs commands as).
 */
final class EnvdPaths {

    private EnvdPaths() {
    }

    static SandboxPath resolve(String path, String user, String field) {
        if (path == null || path.isEmpty()) {
            throw ConnectError.invalid(field + " is required");
        }
        if (path.startsWith("/")) {
            return SandboxPath.of(path, field);
        }
        String relative = path.equals("~") ? "" : path.startsWith("~/") ? path.substring(2) : path;
        return SandboxPath.of(home(user) + (relative.isEmpty() ? "" : "/" + relative), field);
    }

    private static String home(String user) {
        return user == null || user.isEmpty() || user.equals("root") ? "/root" : "/home/" + user;
    }
}

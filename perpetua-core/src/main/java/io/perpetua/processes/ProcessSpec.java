package io.perpetua.processes;

import io.perpetua.error.InvalidInputException;
import io.perpetua.sandbox.ExecRequest;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A background process to start in a sandbox.
 *
 * @param cmd       program and arguments, looked up on the sandbox's PATH
 * @param cwd       absolute working directory, or {@code null} for {@code /root}
 * @param env       variables added to the sandbox's environment
 * @param keepAlive whether the sandbox stays awake until this process exits; without it, a
 *                  running process does not keep the sandbox from going to standby
 * @param name      a label for the caller, or {@code null}
 */
public record ProcessSpec(List<String> cmd, String cwd, Map<String, String> env, boolean keepAlive, String name) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,62}");

    /** @throws InvalidInputException naming the first field that is malformed */
    public ProcessSpec {
        ExecRequest checked = new ExecRequest(cmd, cwd, env, null, null);
        cmd = checked.cmd();
        env = checked.env();
        InvalidInputException.check(name == null || NAME.matcher(name).matches(), "name",
                "name must be 1-63 characters of letters, digits, '.', '_', '-' and spaces but was '" + name + "'");
    }
}

package io.perpetua.runtime;

/**
 * Small programs every sandbox of a runtime provides, which the daemon's features run inside
 * sandboxes. {@link SandboxRuntime#helper} gives the command that starts each.
 */
public enum SandboxHelper {

    /**
     * Starts a supervised background process: {@code <helper> <dir> <output-limit-bytes> <program>
     * [args...]}; prints {@code "<supervisor pid> <process pid>"} and keeps the process's output
     * and exit status in {@code dir} (format: {@code io.perpetua.processes.ProcessFiles}).
     */
    SUPERVISE,

    /**
     * Runs a program on a pseudo-terminal made inside the sandbox: {@code <helper> <rows> <cols>
     * <program> [args...]}. Its stdin takes frames (1 byte type 'd' data or 'r' resize, 2 bytes
     * big-endian length, payload; resize: rows and columns, 2 bytes each); its stdout is the
     * terminal's output.
     */
    TERMINAL,

    /**
     * Reports changes below a directory until killed: {@code <helper> <dir>} prints
     * {@code "<created|modified|deleted>\t<path>"} lines.
     */
    WATCH
}

/*
 * Starts a background process for `POST /processes` and looks after it for as long as it and
 * anything holding its output live:
 *
 *     supervise [--record] <dir> <output-limit-bytes> <program> [args...]
 *
 * Prints "<supervisor pid> <process pid>" once the process runs, then detaches: new session,
 * stdio on /dev/null, so no host descriptor of `runsc exec` stays in the sandbox (a sandbox
 * holding one cannot be restored from a checkpoint).
 *
 * It keeps the process's record in <dir> (see supervision.h): meta (with --record, what this
 * program read on its standard input), pids (with --record), output and exit. The process
 * reads a pipe whose write end is this supervisor's fd 63; others write to
 * /proc/<supervisor pid>/fd/63. SIGUSR1 closes it: end of input.
 *
 * The process leads its own process group, so it can be signalled with everything it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "supervision.h"

#define STDIN_FD 63

extern char **environ;
static int wake_pipe[2];
static volatile sig_atomic_t close_stdin_requested;

static void on_signal(int sig) {
    int saved = errno;
    if (sig == SIGUSR1) {
        close_stdin_requested = 1;
    }
    if (write(wake_pipe[1], "s", 1) < 0) {
        /* a wake-up is already pending */
    }
    errno = saved;
}

/* Starts the process (see command.h) with every signal at its default, whatever this supervisor or its starters ignore. */
static pid_t spawn(char **argv, int in, int out, int err) {
    sigset_t defaults;
    sigfillset(&defaults);
    struct command command = {.program = argv[0], .search_path = 1, .argv = argv, .env = environ,
                              .stdio = {in, out, err}, .defaults = &defaults};
    pid_t pid;
    int failed = spawn_command(&command, &pid);
    if (failed) {
        errno = failed;
        return -1;
    }
    return pid;
}

static void close_stdin_if_asked(struct supervision *s) {
    (void) s;
    if (close_stdin_requested) {
        close(STDIN_FD);
        close_stdin_requested = 0;
    }
}

static void close_stdin(struct supervision *s) {
    (void) s;
    close(STDIN_FD);
}

/* The supervisor: starts the process, tells the caller, then keeps its output until the end. */
static void supervise(const char *dir, long long limit, char **argv, int ready) {
    int in[2], out[2], err[2];
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        dprintf(ready, "error cannot set up %s: %s\n", dir, strerror(errno));
        _exit(126);
    }
    if (dup3(in[1], STDIN_FD, O_CLOEXEC) < 0) {
        dprintf(ready, "error cannot keep the process's input: %s\n", strerror(errno));
        _exit(126);
    }
    close(in[1]);
    pid_t child = spawn(argv, in[0], out[1], err[1]);
    if (child < 0) {
        dprintf(ready, "error cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    dprintf(ready, "%d %d\n", getpid(), child);
    close(ready);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
    struct supervision supervision = {.dir = dir, .limit = limit, .child = child, .out = out[0], .err = err[0],
                                      .wake = wake_pipe[0], .wake_on_end = 1, .on_wake = close_stdin_if_asked,
                                      .on_end = close_stdin};
    keep_output(&supervision);
    _exit(0);
}

int main(int argc, char **argv) {
    int record = argc > 1 && strcmp(argv[1], "--record") == 0;
    if (record) {
        argv++;
        argc--;
    }
    if (argc < 4 || argv[1][0] != '/') {
        dprintf(2, "usage: supervise [--record] <absolute dir> <output-limit-bytes> <program> [args...]\n");
        return 2;
    }
    if (make_directories(argv[1]) < 0) {
        dprintf(2, "perpetua: cannot create %s: %s\n", argv[1], strerror(errno));
        return 126;
    }
    if (record && save_file(argv[1], "meta", NULL, 0, 0) < 0) {
        dprintf(2, "perpetua: cannot record the process in %s: %s\n", argv[1], strerror(errno));
        return 126;
    }
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) {
        return 126;
    }
    pid_t first = fork();
    if (first == 0) {
        close(ready[0]);
        setsid();
        if (fork() != 0) {
            _exit(0);
        }
        struct sigaction action = {0};
        action.sa_handler = on_signal;
        sigaction(SIGCHLD, &action, NULL);
        sigaction(SIGUSR1, &action, NULL);
        signal(SIGPIPE, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        supervise(argv[1], atoll(argv[2]), argv + 3, ready[1]);
    }
    close(ready[1]);
    waitpid(first, NULL, 0);
    char answer[256];
    ssize_t n = read(ready[0], answer, sizeof answer - 1);
    if (n <= 0) {
        dprintf(2, "perpetua: the supervisor did not start\n");
        return 126;
    }
    answer[n] = 0;
    if (strncmp(answer, "error ", 6) == 0) {
        dprintf(2, "perpetua: %s", answer + 6);
        return strstr(answer, "No such file") ? 127 : 126;
    }
    if (record && save_file(argv[1], "pids", answer, strlen(answer), -1) < 0) {
        dprintf(2, "perpetua: cannot record the pids in %s: %s\n", argv[1], strerror(errno));
        return 126;
    }
    printf("%s", answer);
    return 0;
}

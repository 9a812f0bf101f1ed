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
 *   <dir>/output  the process's output in order, as records: 1 byte stream ('o' stdout,
 *                 'e' stderr), 4 bytes big-endian length, the bytes. Once <output-limit> bytes
 *                 are kept, one record of stream 't' (truncated) ends it; later output is read
 *                 and dropped, so the process never blocks on a full pipe.
 *   <dir>/meta    with --record: what this program read on its standard input, saved before the
 *                 process starts (the daemon's record of it)
 *   <dir>/pids    with --record: the line printed above, saved once the process runs
 *   <dir>/exit    written (to a temporary name, then renamed) when the process ends:
 *                 "exited <code>" or "killed <signal>".
 *   stdin         the process reads a pipe whose write end is this supervisor's fd 63; others
 *                 write to /proc/<supervisor pid>/fd/63. SIGUSR1 closes it: end of input.
 *
 * The process leads its own process group, so it can be signalled with everything it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"

#define BUFFER 65536
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

static int write_all(int fd, const void *data, size_t size) {
    const char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        p += n;
        size -= (size_t) n;
    }
    return 0;
}

static void record(int log, char stream, const char *data, uint32_t size) {
    unsigned char header[5] = {(unsigned char) stream, size >> 24, size >> 16, size >> 8, size};
    write_all(log, header, sizeof header);
    write_all(log, data, size);
}

/*
 * Records how the process ended, whole or not at all (a temporary name, then a rename). Not
 * flushed: a caller waits on it, and after a host crash the process's end is moot.
 */
static void write_exit(const char *dir, int status) {
    char tmp[4096], final[4096], text[64];
    snprintf(tmp, sizeof tmp, "%s/exit.tmp", dir);
    snprintf(final, sizeof final, "%s/exit", dir);
    int length = WIFSIGNALED(status) ? snprintf(text, sizeof text, "killed %d\n", WTERMSIG(status))
                                     : snprintf(text, sizeof text, "exited %d\n", WEXITSTATUS(status));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        write_all(fd, text, (size_t) length);
        close(fd);
        rename(tmp, final);
    }
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

/* The supervisor: starts the process, tells the caller, then keeps its output until the end. */
static void supervise(const char *dir, long long limit, char **argv, int ready) {
    char path[4096];
    snprintf(path, sizeof path, "%s/output", dir);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in[2], out[2], err[2];
    if (log < 0 || pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
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

    long long kept = 0;
    int truncated = 0, exited = 0, status = 0;
    struct pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {wake_pipe[0], POLLIN, 0}};
    char buffer[BUFFER];
    while (!exited || fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (poll(fds, 3, exited ? 1000 : -1) < 0) {
            if (errno != EINTR) {
                break;
            }
            /* Interrupted by a signal: revents may hold stale bits (gVisor leaves them). */
            fds[0].revents = fds[1].revents = fds[2].revents = 0;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) {
                continue;
            }
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
            } else if (n > 0 && !truncated) {
                long long room = limit - kept;
                uint32_t keep = (uint32_t) (n < room ? n : room);
                if (keep > 0) {
                    record(log, i == 0 ? 'o' : 'e', buffer, keep);
                    kept += keep;
                }
                if (keep < n) {
                    record(log, 't', "", 0);
                    truncated = 1;
                }
            }
        }
        if (fds[2].revents) {
            char drained[64];
            while (read(wake_pipe[0], drained, sizeof drained) > 0) {
            }
        }
        if (close_stdin_requested) {
            close(STDIN_FD);
            close_stdin_requested = 0;
        }
        if (!exited && waitpid(child, &status, WNOHANG) == child) {
            exited = 1;
            write_exit(dir, status);
            close(STDIN_FD);
        }
    }
    if (!exited) {
        waitpid(child, &status, 0);
        write_exit(dir, status);
    }
    _exit(0);
}

static int make_directories(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * Writes <dir>/<name> whole or not at all: to a temporary name, then renamed. Not flushed: the
 * record matters while the process runs, and a host crash ends the process with it.
 */
static int save(const char *dir, const char *name, int from_fd, const char *text) {
    char tmp[4096], final[4096], buffer[BUFFER];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    int failed = text != NULL && write_all(fd, text, strlen(text)) < 0;
    ssize_t n;
    while (!failed && from_fd >= 0 && (n = read(from_fd, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        failed = n < 0 || write_all(fd, buffer, (size_t) n) < 0;
    }
    close(fd);
    return failed || rename(tmp, final) < 0 ? -1 : 0;
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
    if (record && save(argv[1], "meta", 0, NULL) < 0) {
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
    if (record && save(argv[1], "pids", -1, answer) < 0) {
        dprintf(2, "perpetua: cannot record the pids in %s: %s\n", argv[1], strerror(errno));
        return 126;
    }
    printf("%s", answer);
    return 0;
}

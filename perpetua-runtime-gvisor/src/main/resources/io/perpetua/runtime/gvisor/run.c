/*
 * Runs one command for `POST /exec`, between `runsc exec` and the command:
 *
 *     run <timeout-ms> <program> [args...]
 *
 * Why it exists: runsc hands an exec'd process the runsc client's own pipes as host file
 * descriptors. A background process started by the command would inherit them, and a sandbox
 * holding host descriptors cannot be restored from a checkpoint. So the command gets pipes
 * made inside the sandbox instead, and this program copies them to its own stdio. When the
 * command exits while background processes still hold those pipes, a detached drainer keeps
 * reading them (so the background processes never get SIGPIPE) and this program exits.
 *
 * It also enforces the timeout inside the sandbox: the command leads its own process group,
 * which gets SIGTERM at the deadline and SIGKILL two seconds later.
 *
 * Exit status: the command's, 128+N if signal N killed it, 126/127 if it could not be run.
 * Statically linked, and the command is started with posix_spawn rather than fork: under the
 * ptrace platform every exec of a dynamic program costs milliseconds of loader work, and every
 * new address space a host process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"

#define BUFFER 65536

extern char **environ;
static int wake_pipe[2];

static void on_child(int sig) {
    (void) sig;
    int saved = errno;
    if (write(wake_pipe[1], "c", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

static pid_t command_group;

static void write_all(int fd, const char *data, ssize_t size) {
    while (size > 0) {
        ssize_t n = write(fd, data, (size_t) size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* Nobody reads the output any more (the daemon gave up on the request): stop the
               command, and keep draining so that it is not blocked while it ends. */
            if (errno == EPIPE && command_group > 0) {
                kill(-command_group, SIGTERM);
            }
            return;
        }
        data += n;
        size -= n;
    }
}

/* Copies what is readable now from `from` to `to`; returns 0 once `from` is at its end. */
static int pump(int from, int to) {
    char buffer[BUFFER];
    ssize_t n = read(from, buffer, sizeof buffer);
    if (n > 0) {
        write_all(to, buffer, n);
        return 1;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

/* Starts the command (see command.h), or exits as a shell does when it cannot. */
static pid_t start(char **argv, int in, int out, int err) {
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    struct command command = {.program = argv[0], .search_path = 1, .argv = argv, .env = environ,
                              .stdio = {in, out, err}, .defaults = &defaults};
    pid_t pid;
    int failed = spawn_command(&command, &pid);
    if (failed) {
        dprintf(2, "perpetua: cannot run '%s': %s\n", argv[0], strerror(failed));
        exit(failed == ENOENT ? 127 : 126);
    }
    return pid;
}

/* Keeps reading the command's pipes, for background processes that still write to them. */
static void detach_drainer(int out, int err, int in) {
    if (fork() != 0) {
        return;
    }
    setsid();
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (in >= 0) {
        close(in);
    }
    struct pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open_pipes = (out >= 0) + (err >= 0);
    char buffer[BUFFER];
    while (open_pipes > 0 && poll(fds, 2, -1) >= 0) {
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && fds[i].revents) {
                ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    fds[i].fd = -1;
                    open_pipes--;
                }
            }
        }
    }
    _exit(0);
}

/* Input waiting to be written to the command's stdin, which may not read it right away. */
struct input {
    char data[BUFFER];
    ssize_t start, end;
};

/* Moves host stdin into the command's stdin pipe without ever blocking; returns 0 when done. */
static int feed(struct pollfd *host, struct pollfd *pipe_in, struct input *pending) {
    if (pending->start == pending->end && host->revents) {
        ssize_t n = read(0, pending->data, sizeof pending->data);
        if (n <= 0 && !(n < 0 && errno == EINTR)) {
            return 0;
        }
        pending->start = 0;
        pending->end = n > 0 ? n : 0;
    }
    if (pending->start < pending->end && pipe_in->revents) {
        ssize_t n = write(pipe_in->fd, pending->data + pending->start, (size_t) (pending->end - pending->start));
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return 0; /* the command closed its stdin */
        }
        pending->start += n > 0 ? n : 0;
    }
    int waiting = pending->start < pending->end;
    host->events = waiting ? 0 : POLLIN;
    pipe_in->events = waiting ? POLLOUT : 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        dprintf(2, "usage: run <timeout-ms> <program> [args...]\n");
        return 2;
    }
    long long deadline = now_ms() + atoll(argv[1]);
    int in[2], out[2], err[2];
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        dprintf(2, "perpetua: cannot create pipes: %s\n", strerror(errno));
        return 126;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, on_child);
    pid_t child = start(argv + 2, in[0], out[1], err[1]);
    command_group = child;
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    fcntl(in[1], F_SETFL, O_NONBLOCK);

    /* out, err, host stdin, command stdin, wake-up */
    struct pollfd fds[5] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {0, POLLIN, 0}, {in[1], 0, 0}, {wake_pipe[0], POLLIN, 0}};
    struct input pending = {.start = 0, .end = 0};
    int status = 0, exited = 0, signalled = 0;
    long long exited_at = 0;
    while (!exited || fds[0].fd >= 0 || fds[1].fd >= 0) {
        long long now = now_ms();
        if (exited && now - exited_at > 50) {
            /* The command is done but something it started still holds its output. */
            detach_drainer(fds[0].fd, fds[1].fd, fds[3].fd);
            break;
        }
        long long until = signalled ? deadline + KILL_GRACE_MS : deadline;
        long long left = exited ? 10 : until - now;
        int ready = poll(fds, 5, (int) (left < 10 ? 10 : left > 1000 ? 1000 : left));
        if (ready < 0) {
            if (errno != EINTR) {
                break;
            }
            /* Interrupted by a signal: revents may hold stale bits (gVisor leaves them). */
            for (int i = 0; i < 5; i++) {
                fds[i].revents = 0;
            }
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && fds[i].revents && !pump(fds[i].fd, i + 1)) {
                close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
        if (fds[2].fd >= 0 && ready > 0 && !feed(&fds[2], &fds[3], &pending)) {
            close(in[1]);
            fds[2].fd = -1;
            fds[3].fd = -1;
        }
        if (fds[4].revents) {
            char drained[64];
            while (read(wake_pipe[0], drained, sizeof drained) > 0) {
            }
        }
        if (!exited && waitpid(child, &status, WNOHANG) == child) {
            exited = 1;
            exited_at = now_ms();
        }
        if (!exited) {
            signal_past_deadline(child, deadline, &signalled);
        }
    }
    if (!exited) {
        waitpid(child, &status, 0);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

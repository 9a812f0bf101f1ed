/* See supervision.h. */
#define _GNU_SOURCE
#include "supervision.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUFFER 65536
/*
 * Without a wake-up at its end, the longest wait before the process is looked for having ended.
 * A process that ends closes its output, which wakes the loop and starts the looks again from
 * 1 ms; only one whose output outlives it (held by a child of its own) waits this long.
 */
#define END_POLL_MS 1000

int write_all(int fd, const void *data, size_t size) {
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

int make_directories(const char *dir) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) {
        return 0; /* the parents are there: one call instead of one per level */
    }
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

int save_file(const char *dir, const char *name, const void *data, size_t size, int from_fd) {
    char tmp[4096], final[4096], buffer[BUFFER];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    int failed = size > 0 && write_all(fd, data, size) < 0;
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

static void tell(struct supervision *s, char event) {
    if (s->tell) {
        s->tell(s, event);
    }
}

static void record(struct supervision *s, int log, char stream, const char *data, uint32_t size) {
    unsigned char header[5] = {(unsigned char) stream, size >> 24, size >> 16, size >> 8, size};
    write_all(log, header, sizeof header);
    write_all(log, data, size);
    tell(s, 'o');
}

static void write_exit(struct supervision *s, int status) {
    char text[64];
    if (WIFSIGNALED(status)) {
        snprintf(text, sizeof text, "killed %d\n", WTERMSIG(status));
    } else {
        snprintf(text, sizeof text, "exited %d\n", WEXITSTATUS(status));
    }
    save_file(s->dir, "exit", text, strlen(text), -1);
    tell(s, 'x');
}

int keep_output(struct supervision *s) {
    char path[4096];
    snprintf(path, sizeof path, "%s/output", s->dir);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    long long kept = 0;
    int truncated = 0, exited = 0, status = 0, wait_ms = 1;
    struct pollfd fds[3] = {{s->out, POLLIN, 0}, {s->err, POLLIN, 0}, {s->wake, POLLIN, 0}};
    char buffer[BUFFER];
    while (!exited || fds[0].fd >= 0 || fds[1].fd >= 0) {
        fds[2].fd = s->wake; /* on_wake may have let it go */
        /*
         * Unless its end wakes the loop, the process is looked for having ended soon, then less
         * often: its output closes as it ends, a moment before it can be reaped.
         */
        int timeout = s->wake_on_end && s->wake >= 0 ? (exited ? 1000 : -1) : wait_ms;
        if (poll(fds, 3, timeout) < 0) {
            if (errno != EINTR) {
                break;
            }
            /* Interrupted by a signal: revents may hold stale bits (gVisor leaves them). */
            fds[0].revents = fds[1].revents = fds[2].revents = 0;
        }
        wait_ms = wait_ms * 2 > END_POLL_MS ? END_POLL_MS : wait_ms * 2;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) {
                continue;
            }
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                wait_ms = 1; /* its output closed: it is most likely ending */
            } else if (n > 0 && !truncated && log >= 0) {
                long long room = s->limit - kept;
                uint32_t keep = (uint32_t) (n < room ? n : room);
                if (keep > 0) {
                    record(s, log, i == 0 ? 'o' : 'e', buffer, keep);
                    kept += keep;
                }
                if (keep < n) {
                    record(s, log, 't', "", 0);
                    truncated = 1;
                }
            }
        }
        if (fds[2].fd >= 0 && fds[2].revents) {
            char drained[64];
            while (read(s->wake, drained, sizeof drained) > 0) {
            }
            if (s->on_wake) {
                s->on_wake(s);
            }
        }
        if (!exited && waitpid(s->child, &status, WNOHANG) == s->child) {
            exited = 1;
            write_exit(s, status);
            if (s->on_end) {
                s->on_end(s);
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd >= 0) {
            close(fds[i].fd);
        }
    }
    if (!exited) {
        while (waitpid(s->child, &status, 0) < 0 && errno == EINTR) {
        }
        write_exit(s, status);
    }
    if (log >= 0) {
        close(log);
    }
    return status;
}

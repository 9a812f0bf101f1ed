/*
 * A terminal for `GET /terminal`: runs a program on a pseudo-terminal made inside the sandbox,
 * so neither it nor anything it starts holds a host descriptor, and relays between the
 * terminal and this program's stdio:
 *
 *     pty <rows> <cols> <program> [args...]
 *
 * Input on stdin is framed: 1 byte type ('d' data, 'r' resize), 2 bytes big-endian length,
 * then the payload (for 'r': rows and columns, 2 bytes big-endian each). Output on stdout is
 * what the terminal shows, as it comes. It ends when the program exits (with its exit status)
 * or when stdin closes (the program then gets SIGHUP, as when a terminal window closes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BUFFER 65536

static int write_all(int fd, const unsigned char *data, size_t size) {
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        data += n;
        size -= (size_t) n;
    }
    return 0;
}

static void resize(int master, int rows, int cols) {
    struct winsize size = {.ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols};
    ioctl(master, TIOCSWINSZ, &size);
}

/* Handles every whole frame in buffer[0..*length); keeps a partial one for later. */
static void frames(int master, unsigned char *buffer, size_t *length) {
    size_t at = 0;
    while (*length - at >= 3) {
        size_t size = (size_t) buffer[at + 1] << 8 | buffer[at + 2];
        if (*length - at < 3 + size) {
            break;
        }
        unsigned char *payload = buffer + at + 3;
        if (buffer[at] == 'd') {
            write_all(master, payload, size);
        } else if (buffer[at] == 'r' && size == 4) {
            resize(master, payload[0] << 8 | payload[1], payload[2] << 8 | payload[3]);
        }
        at += 3 + size;
    }
    memmove(buffer, buffer + at, *length - at);
    *length -= at;
}

static pid_t start(char **argv, const char *slave_name) {
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    setsid();
    int slave = open(slave_name, O_RDWR);
    if (slave < 0) {
        _exit(126);
    }
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) {
        close(slave);
    }
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv);
    dprintf(2, "perpetua: cannot run '%s': %s\r\n", argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        dprintf(2, "usage: pty <rows> <cols> <program> [args...]\n");
        return 2;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        dprintf(2, "perpetua: cannot open a pseudo-terminal: %s\n", strerror(errno));
        return 126;
    }
    resize(master, atoi(argv[1]), atoi(argv[2]));
    signal(SIGPIPE, SIG_IGN);
    pid_t child = start(argv + 3, ptsname(master));

    static unsigned char input[2 * BUFFER], output[BUFFER];
    size_t pending = 0;
    struct pollfd fds[2] = {{0, POLLIN, 0}, {master, POLLIN, 0}};
    int status = 0;
    for (;;) {
        if (poll(fds, 2, 200) < 0) {
            if (errno != EINTR) {
                break;
            }
            fds[0].revents = fds[1].revents = 0;
        }
        if (fds[1].revents) {
            ssize_t n = read(master, output, sizeof output);
            if (n <= 0 || write_all(1, output, (size_t) n) < 0) {
                break; /* the program and everything on the terminal ended, or nobody reads */
            }
        }
        if (fds[0].revents) {
            ssize_t n = read(0, input + pending, sizeof input - pending);
            if (n <= 0) {
                break; /* the client hung up */
            }
            pending += (size_t) n;
            frames(master, input, &pending);
        }
        if (waitpid(child, &status, WNOHANG) == child) {
            /* Let what the program wrote last reach the client. */
            while (poll(&fds[1], 1, 50) > 0) {
                ssize_t n = read(master, output, sizeof output);
                if (n <= 0 || write_all(1, output, (size_t) n) < 0) {
                    break;
                }
            }
            return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        }
    }
    close(master);
    kill(-child, SIGHUP);
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

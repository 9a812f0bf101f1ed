/*
 * The sandbox's agent: runs commands for the daemon over the sandbox network, so that a command
 * costs one TCP connection instead of a `runsc exec` (a Go program of its own, ~25 ms to start,
 * plus the `run` helper). init starts it at boot and again whenever it exits; it listens on
 * AGENT_PORT of every address of the sandbox, which only the host can reach from outside.
 *
 * One connection runs one command. Everything is big-endian.
 *
 *   daemon -> agent: "PXA1", u32 header length, then the header:
 *                    u32 timeout-ms, u32 argc, argc x string, u32 envc, envc x "NAME=value",
 *                    string cwd (empty: the agent's own), where a string is u32 length + bytes;
 *                    then stdin as chunks (u32 length + bytes), a chunk of length 0 ending it.
 *   agent -> daemon: frames of u8 type, u32 length, payload:
 *                    'S' started (u32 pid; 0 if the program could not be run),
 *                    'O' stdout bytes, 'E' stderr bytes,
 *                    'X' exited (i32 status: the exit code, 128+N for signal N; u8 timed out),
 *                    'C' the working directory does not exist (before anything else).
 *
 * The daemon closes the connection first, after 'X' (or 'C'): the side that closes first keeps
 * the connection in TIME_WAIT, and gVisor cannot checkpoint a sandbox holding one (runsc
 * fails, and the container stops). Every connection also has SO_LINGER 0, so that whenever the
 * agent's side is closed first anyway (the agent killed mid-command, the daemon silent), it is
 * reset instead of lingering.
 *
 * Like the `run` helper, it gives every command pipes made inside the sandbox, leads it into a
 * process group of its own, sends the group SIGTERM at the deadline and SIGKILL two seconds
 * later, and keeps draining pipes that background processes still hold after the command
 * exited. A thread per connection, commands started with posix_spawn: under the ptrace platform
 * a new thread is cheap, a new address space is a host process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "supervision.h"

#define AGENT_PORT 49983
#define MAX_HEADER (4 << 20)
#define MAX_STRINGS 65536
#define BUFFER 65536
/* After the command exits, how long its pipes may stay open before they are left to a drainer. */
#define ORPHAN_GRACE_MS 50
/* How often a command whose pipes are open is checked for having exited. */
#define EXIT_POLL_MS 20
/* The environment entry that makes a request a detached command (see above). */
#define DETACH_OPTION "PERPETUA_AGENT=detach"
/* The supervise program, whose work the agent does itself for the processes it starts. */
#define SUPERVISE "/opt/perpetua/bin/supervise"
/* Most bytes of a process's record (its meta) that the agent takes. */
#define MAX_META (1 << 20)

extern char **environ;

static int read_fully(int fd, void *data, size_t size) {
    char *at = data;
    while (size > 0) {
        ssize_t n = read(fd, at, size);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        at += n;
        size -= (size_t) n;
    }
    return 0;
}

/* Writes everything, waiting while a non-blocking descriptor is full (the daemon reads slower). */
static int write_fully(int fd, const void *data, size_t size) {
    const char *at = data;
    while (size > 0) {
        ssize_t n = write(fd, at, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd writable = {fd, POLLOUT, 0};
                if (poll(&writable, 1, -1) < 0 && errno != EINTR) {
                    return -1;
                }
                continue;
            }
            return -1;
        }
        at += n;
        size -= (size_t) n;
    }
    return 0;
}

static int send_frame(int sock, char type, const void *payload, uint32_t length) {
    char head[5];
    uint32_t wire = htonl(length);
    head[0] = type;
    memcpy(head + 1, &wire, 4);
    return write_fully(sock, head, 5) || write_fully(sock, payload, length) ? -1 : 0;
}

/* The request's header, parsed in place: strings point into `data`, each NUL-terminated. */
struct request {
    char *data;
    uint32_t timeout_ms;
    char **argv;
    char **env;
    char *cwd;
    int detached;
};

/* Reads one string at *at; it is made NUL-terminated by moving its length prefix's slot. */
static char *take_string(char **at, char *end) {
    uint32_t length;
    if (end - *at < 4) {
        return NULL;
    }
    memcpy(&length, *at, 4);
    length = ntohl(length);
    if ((uint32_t) (end - *at - 4) < length) {
        return NULL;
    }
    /* Shift the bytes back over the length prefix, leaving room for the terminating NUL. */
    char *string = *at;
    memmove(string, *at + 4, length);
    string[length] = '\0';
    *at += 4 + length;
    return string;
}

static int take_u32(char **at, char *end, uint32_t *value) {
    if (end - *at < 4) {
        return -1;
    }
    memcpy(value, *at, 4);
    *value = ntohl(*value);
    *at += 4;
    return 0;
}

static char **take_strings(char **at, char *end, int at_least) {
    uint32_t count;
    if (take_u32(at, end, &count) || count > MAX_STRINGS || (int) count < at_least) {
        return NULL;
    }
    char **strings = calloc(count + 1, sizeof *strings);
    for (uint32_t i = 0; strings && i < count; i++) {
        if (!(strings[i] = take_string(at, end))) {
            free(strings);
            return NULL;
        }
    }
    return strings;
}

/* Takes DETACH_OPTION out of the request's environment; the request is detached if it was there. */
static void take_detach_option(struct request *request) {
    char **kept = request->env;
    for (char **e = request->env; *e; e++) {
        if (strcmp(*e, DETACH_OPTION) == 0) {
            request->detached = 1;
        } else {
            *kept++ = *e;
        }
    }
    *kept = NULL;
}

static int read_request(int sock, struct request *request) {
    char magic[4];
    uint32_t length;
    if (read_fully(sock, magic, 4) || memcmp(magic, "PXA1", 4) || read_fully(sock, &length, 4)) {
        return -1;
    }
    length = ntohl(length);
    if (length > MAX_HEADER || !(request->data = malloc(length + 1))) {
        return -1;
    }
    if (read_fully(sock, request->data, length)) {
        return -1;
    }
    char *at = request->data, *end = request->data + length;
    if (take_u32(&at, end, &request->timeout_ms)
            || !(request->argv = take_strings(&at, end, 1))
            || !(request->env = take_strings(&at, end, 0))
            || !(request->cwd = take_string(&at, end))) {
        return -1;
    }
    take_detach_option(request);
    return 0;
}

/* The agent's environment with the request's variables laid over it. */
static char **merged_environment(char **overrides) {
    size_t base = 0, extra = 0;
    while (environ[base]) {
        base++;
    }
    while (overrides[extra]) {
        extra++;
    }
    char **merged = calloc(base + extra + 1, sizeof *merged);
    if (!merged) {
        return NULL;
    }
    size_t count = 0;
    for (size_t i = 0; i < base; i++) {
        size_t name = strcspn(environ[i], "=");
        int replaced = 0;
        for (size_t j = 0; j < extra && !replaced; j++) {
            replaced = strncmp(overrides[j], environ[i], name + 1) == 0;
        }
        if (!replaced) {
            merged[count++] = environ[i];
        }
    }
    for (size_t j = 0; j < extra; j++) {
        merged[count++] = overrides[j];
    }
    return merged;
}

/* Finds `program` on the PATH of the command's own environment, as runsc exec does. */
static char *resolve(const char *program, char **env, char *found, size_t size) {
    if (strchr(program, '/')) {
        return (char *) program;
    }
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (char **e = env; *e; e++) {
        if (strncmp(*e, "PATH=", 5) == 0) {
            path = *e + 5;
        }
    }
    while (*path) {
        size_t length = strcspn(path, ":");
        if (snprintf(found, size, "%.*s/%s", length ? (int) length : 1, length ? path : ".", program) < (int) size
                && access(found, X_OK) == 0) {
            return found;
        }
        path += length + (path[length] == ':');
    }
    return (char *) program;
}

/* Starts the request's command (see command.h); returns its pid, or 0 with the reason in *error. */
static pid_t start(struct request *request, char **env, int in, int out, int err, int *error) {
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    char found[4096];
    struct command command = {.program = resolve(request->argv[0], env, found, sizeof found), .argv = request->argv,
                              .env = env, .cwd = request->cwd, .stdio = {in, out, err}, .defaults = &defaults};
    pid_t pid = 0;
    *error = spawn_command(&command, &pid);
    return *error ? 0 : pid;
}

/* Three pipes for a command's stdio; 0 on success, else none is left open. */
static int make_pipes(int in[2], int out[2], int err[2]) {
    if (pipe2(in, O_CLOEXEC)) {
        return -1;
    }
    if (pipe2(out, O_CLOEXEC)) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    if (pipe2(err, O_CLOEXEC)) {
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return -1;
    }
    return 0;
}

struct drain {
    int fds[2];
};

/* Reads pipes that background processes still hold after their command exited, until they close. */
static void *drain(void *argument) {
    struct drain *pipes = argument;
    struct pollfd fds[2] = {{pipes->fds[0], POLLIN, 0}, {pipes->fds[1], POLLIN, 0}};
    int open_pipes = (fds[0].fd >= 0) + (fds[1].fd >= 0);
    char buffer[4096];
    while (open_pipes > 0 && (poll(fds, 2, -1) >= 0 || errno == EINTR)) {
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && fds[i].revents) {
                ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    open_pipes--;
                }
            }
        }
    }
    free(pipes);
    return NULL;
}

/* Runs `work` on a thread of its own; returns -1 if there is none to be had. */
static int detach(void *(*work)(void *), void *argument) {
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 256 * 1024);
    pthread_t thread;
    int failed = pthread_create(&thread, &attributes, work, argument);
    pthread_attr_destroy(&attributes);
    return failed ? -1 : 0;
}

/* Stdin chunks arriving on the connection, on their way to the command's stdin pipe. */
struct input {
    char data[BUFFER];
    size_t start, end;
    uint32_t chunk_left;
    int header_bytes;
    char header[4];
    int ended;
};

/* Takes what arrived on the socket; returns -1 if the daemon went away, 1 once stdin ended. */
static int receive_input(int sock, struct input *input) {
    char raw[BUFFER];
    size_t room = sizeof input->data - input->end;
    if (room == 0) {
        return 0;
    }
    ssize_t n = read(sock, raw, room < sizeof raw ? room : sizeof raw);
    if (n <= 0) {
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    for (ssize_t i = 0; i < n;) {
        if (input->chunk_left == 0) {
            input->header[input->header_bytes++] = raw[i++];
            if (input->header_bytes == 4) {
                uint32_t length;
                memcpy(&length, input->header, 4);
                input->chunk_left = ntohl(length);
                input->header_bytes = 0;
                if (input->chunk_left == 0) {
                    input->ended = 1;
                    return 1;
                }
            }
            continue;
        }
        size_t take = (size_t) (n - i) < input->chunk_left ? (size_t) (n - i) : input->chunk_left;
        memcpy(input->data + input->end, raw + i, take);
        input->end += take;
        input->chunk_left -= (uint32_t) take;
        i += (ssize_t) take;
    }
    return 0;
}

static int pump_output(int from, int sock, char type) {
    char buffer[BUFFER];
    ssize_t n = read(from, buffer, sizeof buffer);
    if (n > 0) {
        return send_frame(sock, type, buffer, (uint32_t) n) ? -1 : 1;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 1 : 0;
}

static void send_exit(int sock, int status, int timed_out) {
    char payload[5];
    uint32_t wire = htonl((uint32_t) status);
    memcpy(payload, &wire, 4);
    payload[4] = (char) timed_out;
    send_frame(sock, 'X', payload, 5);
}

/* Waits for the daemon to close the connection first (see above), without waiting forever. */
static void await_close(int sock) {
    struct timeval limit = {10, 0};
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char rest[4096];
    while (read(sock, rest, sizeof rest) > 0) {
    }
}

/* The command of one connection: its pipes, its input on the way, and how far it got. */
struct execution {
    int sock;
    pid_t child;
    struct pollfd fds[4]; /* indexed by the enum below */
    struct input *input;
    long long deadline, exited_at, backoff;
    int status, exited, signalled, gone, detached;
};

enum { COMMAND_OUT, COMMAND_ERR, CONNECTION, COMMAND_IN };

static int is_directory(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Tells the daemon why the command could not be run, as runsc exec would, and that it ended. */
static void report_not_started(int sock, const char *program, int error) {
    char message[4200];
    int length = snprintf(message, sizeof message, "perpetua: cannot run '%s': %s\n", program, strerror(error));
    send_frame(sock, 'E', message, (uint32_t) (length < (int) sizeof message ? length : (int) sizeof message - 1));
    send_exit(sock, error == ENOENT ? 127 : 126, 0);
}

/*
 * Starts the request's command on pipes made here and tells the daemon its pid. Returns 1 if it
 * runs; 0 if it could not be run (the daemon was told why); -1 if there was no memory or no
 * pipe for it: then nothing was sent, and the daemon runs the command the slow way.
 */
static int start_command(struct execution *execution, struct request *request) {
    char **env = merged_environment(request->env);
    execution->input = calloc(1, sizeof *execution->input);
    int in[2], out[2], err[2], error = 0;
    if (!env || !execution->input || make_pipes(in, out, err)) {
        free(env);
        free(execution->input);
        return -1;
    }
    execution->detached = request->detached;
    execution->deadline = request->detached ? LLONG_MAX - KILL_GRACE_MS : now_ms() + request->timeout_ms;
    execution->child = start(request, env, in[0], out[1], err[1], &error);
    free(env);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    uint32_t wire_pid = htonl((uint32_t) execution->child);
    send_frame(execution->sock, 'S', &wire_pid, 4);
    if (!execution->child) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        free(execution->input);
        report_not_started(execution->sock, request->argv[0], error);
        return 0;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(execution->sock, F_SETFL, fcntl(execution->sock, F_GETFL) | O_NONBLOCK);
    execution->fds[COMMAND_OUT] = (struct pollfd) {out[0], POLLIN, 0};
    execution->fds[COMMAND_ERR] = (struct pollfd) {err[0], POLLIN, 0};
    execution->fds[CONNECTION] = (struct pollfd) {execution->sock, POLLIN, 0};
    execution->fds[COMMAND_IN] = (struct pollfd) {in[1], 0, 0};
    return 1;
}

static int output_open(const struct execution *execution) {
    return execution->fds[COMMAND_OUT].fd >= 0 || execution->fds[COMMAND_ERR].fd >= 0;
}

/* Relaying goes on until the command exited and its output closed, or its output outlived it by the grace. */
static int keep_relaying(const struct execution *execution) {
    if (execution->gone && execution->detached) {
        return 0;
    }
    if (!execution->exited) {
        return 1;
    }
    return output_open(execution) && now_ms() - execution->exited_at <= ORPHAN_GRACE_MS;
}

/* How long to wait for the pipes or the connection: never past the next step of the deadline, and never long. */
static int next_wait_ms(struct execution *execution) {
    long long until = execution->signalled ? execution->deadline + KILL_GRACE_MS : execution->deadline;
    long long wait = execution->exited ? 10 : until - now_ms();
    if (!output_open(execution)) {
        /* Its output is closed, so it is most likely exiting: look again soon, then less often. */
        wait = wait < execution->backoff ? wait : execution->backoff;
        execution->backoff *= 2;
    }
    if (wait > EXIT_POLL_MS) {
        wait = EXIT_POLL_MS;
    }
    return (int) (wait < 1 ? 1 : wait);
}

/* Sends the daemon what the command wrote; closes a pipe at its end. */
static void relay_output(struct execution *execution) {
    for (int i = COMMAND_OUT; i <= COMMAND_ERR; i++) {
        struct pollfd *stream = &execution->fds[i];
        if (stream->fd < 0 || !stream->revents) {
            continue;
        }
        int pumped = pump_output(stream->fd, execution->sock, i == COMMAND_OUT ? 'O' : 'E');
        if (pumped < 0) {
            execution->gone = 1;
        } else if (pumped == 0) {
            close(stream->fd);
            stream->fd = -1;
        }
    }
}

/* Takes what the daemon sent: the command's input, or once that ended, only whether the daemon is still there. */
static void take_from_daemon(struct execution *execution) {
    struct pollfd *connection = &execution->fds[CONNECTION];
    if (connection->fd < 0 || !connection->revents) {
        return;
    }
    ssize_t n = 1;
    if (connection->revents & (POLLERR | POLLHUP)) {
        n = -1;
    } else if (execution->input->ended) {
        char ignored[256];
        n = read(execution->sock, ignored, sizeof ignored);
        n = n < 0 && (errno == EAGAIN || errno == EINTR) ? 1 : n;
    } else {
        n = receive_input(execution->sock, execution->input) < 0 ? -1 : 1;
    }
    if (n <= 0) {
        execution->gone = 1;
        connection->fd = -1;
    }
}

/* Writes what it can of the input waiting for the command, without blocking. */
static void feed_stdin(struct execution *execution) {
    struct pollfd *command_in = &execution->fds[COMMAND_IN];
    struct input *input = execution->input;
    if (command_in->fd < 0 || !command_in->revents || input->start >= input->end) {
        return;
    }
    ssize_t n = write(command_in->fd, input->data + input->start, input->end - input->start);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        input->start = input->end; /* the command closed its stdin */
    } else if (n > 0) {
        input->start += (size_t) n;
    }
}

/* Ends the command's input once all of it was written, and says what to wait for next: more input, or room for it. */
static void settle_input(struct execution *execution) {
    struct input *input = execution->input;
    struct pollfd *connection = &execution->fds[CONNECTION], *command_in = &execution->fds[COMMAND_IN];
    if (input->start == input->end) {
        input->start = input->end = 0;
    }
    if (command_in->fd >= 0 && (input->ended || execution->gone) && input->start == input->end) {
        close(command_in->fd);
        command_in->fd = -1;
    }
    if (connection->fd >= 0) {
        /* Read more stdin only when the last chunk went to the command. */
        connection->events = !input->ended && input->end > 0 ? 0 : POLLIN;
    }
    if (command_in->fd >= 0) {
        command_in->events = input->start < input->end ? POLLOUT : 0;
    }
}

/* Notices that the command exited; stops it at its deadline, or at once when the daemon gave up on it. */
static void watch_command(struct execution *execution) {
    if (execution->exited) {
        return;
    }
    if (waitpid(execution->child, &execution->status, WNOHANG) == execution->child) {
        execution->exited = 1;
        execution->exited_at = now_ms();
        return;
    }
    if (execution->gone && !execution->detached && execution->signalled == 0) {
        execution->deadline = now_ms();
    }
    signal_past_deadline(execution->child, execution->deadline, &execution->signalled);
}

/* Moves output to the daemon and input to the command until the command is done. */
static void relay(struct execution *execution) {
    while (keep_relaying(execution)) {
        int ready = poll(execution->fds, 4, next_wait_ms(execution));
        if (ready < 0 && errno != EINTR) {
            break;
        }
        if (ready > 0) {
            relay_output(execution);
            take_from_daemon(execution);
            feed_stdin(execution);
        }
        settle_input(execution);
        watch_command(execution);
    }
}

/* Leaves pipes that background processes still hold to a thread that drains them. */
static void leave_to_drainer(int out, int err) {
    struct drain *pipes = malloc(sizeof *pipes);
    if (pipes) {
        pipes->fds[0] = out;
        pipes->fds[1] = err;
    }
    if (!pipes || detach(drain, pipes)) {
        /* No thread to drain them: close them, and background writers get EPIPE. */
        close(out);
        close(err);
        free(pipes);
    }
}

static void *reap(void *argument) {
    pid_t child = (pid_t) (intptr_t) argument;
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    return NULL;
}

/*
 * A detached command the daemon let go of: its output pipes closed, so that it stops writing to
 * them, and the command left to a thread that reaps it, so that the connection can close now.
 * Returns 0 if there was no thread for it: then it is reaped here, as any other.
 */
static int let_go(struct execution *execution) {
    for (int i = COMMAND_OUT; i <= COMMAND_ERR; i++) {
        if (execution->fds[i].fd >= 0) {
            close(execution->fds[i].fd);
            execution->fds[i].fd = -1;
        }
    }
    return detach(reap, (void *) (intptr_t) execution->child) == 0;
}

/* After relaying: the command reaped, its leftover pipes drained, its exit status sent if the daemon still listens. */
static void end_command(struct execution *execution) {
    if (execution->fds[COMMAND_IN].fd >= 0) {
        close(execution->fds[COMMAND_IN].fd);
    }
    if (execution->gone && execution->detached && !execution->exited && let_go(execution)) {
        free(execution->input);
        return;
    }
    if (!execution->exited) {
        waitpid(execution->child, &execution->status, 0);
    }
    if (output_open(execution)) {
        leave_to_drainer(execution->fds[COMMAND_OUT].fd, execution->fds[COMMAND_ERR].fd);
    }
    free(execution->input);
    if (!execution->gone) {
        int status = execution->status;
        fcntl(execution->sock, F_SETFL, fcntl(execution->sock, F_GETFL) & ~O_NONBLOCK);
        send_exit(execution->sock, WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status), execution->signalled > 0);
    }
}

static void run(int sock, struct request *request) {
    if (request->cwd[0] && !is_directory(request->cwd)) {
        send_frame(sock, 'C', request->cwd, (uint32_t) strlen(request->cwd));
        return;
    }
    struct execution execution = {.sock = sock, .backoff = 1};
    if (start_command(&execution, request) > 0) {
        relay(&execution);
        end_command(&execution);
    }
}

/* A process this agent supervises, by its directory: the write end of its input while it takes any. */
struct supervised {
    char *dir;
    int input;
    struct supervised *next;
};

static pthread_mutex_t supervised_lock = PTHREAD_MUTEX_INITIALIZER;
static struct supervised *supervised_list;

/* The entry of `dir`; call with the lock held. */
static struct supervised *find_supervised(const char *dir) {
    for (struct supervised *at = supervised_list; at; at = at->next) {
        if (strcmp(at->dir, dir) == 0) {
            return at;
        }
    }
    return NULL;
}

static void add_supervised(struct supervised *entry) {
    pthread_mutex_lock(&supervised_lock);
    entry->next = supervised_list;
    supervised_list = entry;
    pthread_mutex_unlock(&supervised_lock);
}

/* Closes the input of the process in `dir`, and forgets it if `forget`; -1 if the agent has no such process. */
static int close_input(const char *dir, int forget) {
    pthread_mutex_lock(&supervised_lock);
    struct supervised **link = &supervised_list;
    while (*link && strcmp((*link)->dir, dir) != 0) {
        link = &(*link)->next;
    }
    struct supervised *entry = *link;
    if (entry && entry->input >= 0) {
        close(entry->input);
        entry->input = -1;
    }
    if (entry && forget) {
        *link = entry->next;
        free(entry->dir);
        free(entry);
    }
    pthread_mutex_unlock(&supervised_lock);
    return entry ? 0 : -1;
}

static int is_supervise(const struct request *request, const char *verb) {
    return strcmp(request->argv[0], SUPERVISE) == 0 && request->argv[1] && strcmp(request->argv[1], verb) == 0;
}

static void send_started(int sock, pid_t pid) {
    uint32_t wire_pid = htonl((uint32_t) pid);
    send_frame(sock, 'S', &wire_pid, 4);
}

/* Ends a request as a program that wrote `message` (if any) on stdout ('O') or stderr ('E') and exited with `status`. */
static void finish(int sock, char stream, const char *message, int status) {
    if (message) {
        send_frame(sock, stream, message, (uint32_t) strlen(message));
    }
    send_exit(sock, status, 0);
}

/* Answers a request as a program of the agent's pid that started, wrote `message` and exited with `status`. */
static void answer(int sock, char stream, const char *message, int status) {
    send_started(sock, getpid());
    finish(sock, stream, message, status);
}

/* The request's input, read whole (the chunks up to the empty one); NULL if it is too long or the connection broke. */
static char *read_input(int sock, size_t *size) {
    char *data = NULL;
    *size = 0;
    for (;;) {
        uint32_t length;
        if (read_fully(sock, &length, 4)) {
            free(data);
            return NULL;
        }
        length = ntohl(length);
        if (length == 0) {
            return data ? data : calloc(1, 1);
        }
        char *more = *size + length <= MAX_META ? realloc(data, *size + length) : NULL;
        if (!more || read_fully(sock, more + *size, length)) {
            free(more ? more : data);
            return NULL;
        }
        data = more;
        *size += length;
    }
}

/* A supervision whose daemon listens on `sock` until it goes away. */
struct attachment {
    int sock;
};

/* The daemon is gone or cannot keep up: no more news for it; it finds everything in the files. */
static void let_daemon_go(struct supervision *s) {
    struct attachment *attachment = s->context;
    close(attachment->sock);
    attachment->sock = -1;
    s->wake = -1;
}

static void tell_daemon(struct supervision *s, char event) {
    struct attachment *attachment = s->context;
    char frame[6] = {'O', 0, 0, 0, 1, event};
    if (attachment->sock >= 0 && send(attachment->sock, frame, sizeof frame, MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof frame) {
        let_daemon_go(s);
    }
}

/* The connection is readable: the daemon closed it (it sends nothing after the input). */
static void hear_daemon(struct supervision *s) {
    struct attachment *attachment = s->context;
    char ignored[256];
    ssize_t n = recv(attachment->sock, ignored, sizeof ignored, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        let_daemon_go(s);
    }
}

static void end_input(struct supervision *s) {
    close_input(s->dir, 0);
}

/*
 * `supervise --attach <dir> <limit> <program> [args...]`, done here as the program would do it:
 * started at once (with the agent's pid), the process started, the record saved (its input as
 * meta), "<supervisor pid> <process pid> agent" as the first line of output, then the events, and exit status 0 once the process ended and its output
 * closed. Returns the connection, or -1 if the daemon went away and it was closed.
 */
static int supervise_here(int sock, struct request *request) {
    char **argv = request->argv;
    if (!argv[2] || !argv[3] || !argv[4] || argv[2][0] != '/') {
        answer(sock, 'E', "usage: supervise --attach <absolute dir> <output-limit-bytes> <program> [args...]\n", 2);
        return sock;
    }
    if (request->cwd[0] && !is_directory(request->cwd)) {
        send_frame(sock, 'C', request->cwd, (uint32_t) strlen(request->cwd));
        return sock;
    }
    send_started(sock, getpid());
    const char *dir = argv[2];
    size_t meta_size;
    char *meta = read_input(sock, &meta_size);
    char message[4200];
    if (!meta) {
        return sock;
    }
    char **env = merged_environment(request->env);
    struct supervised *entry = calloc(1, sizeof *entry);
    int in[2], out[2], err[2], error = 0;
    if (!env || !entry || !(entry->dir = strdup(dir)) || make_pipes(in, out, err)) {
        free(meta);
        free(env);
        free(entry ? entry->dir : NULL);
        free(entry);
        finish(sock, 'O', "error the agent has no memory or descriptors left\n", 126);
        return sock;
    }
    struct request process = *request;
    process.argv = argv + 4;
    pid_t child = start(&process, env, in[0], out[1], err[1], &error);
    free(env);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (!child) {
        free(meta);
        close(in[1]);
        close(out[0]);
        close(err[0]);
        free(entry->dir);
        free(entry);
        snprintf(message, sizeof message, "error cannot run '%s': %s\n", argv[4], strerror(error));
        finish(sock, 'O', message, error == ENOENT ? 127 : 126);
        return sock;
    }
    char pids[64];
    snprintf(pids, sizeof pids, "%d %d agent\n", getpid(), child);
    /* The record first (while the process starts its work), so that whoever learns the pid finds the process. */
    int recorded = make_directories(dir) == 0 && save_file(dir, "meta", meta, meta_size, -1) == 0
            && save_file(dir, "pids", pids, strlen(pids), -1) == 0;
    free(meta);
    if (!recorded) {
        snprintf(message, sizeof message, "error cannot record the process in %s: %s\n", dir, strerror(errno));
        kill(-child, SIGKILL); /* nothing runs without a record */
        waitpid(child, NULL, 0);
        close(in[1]);
        close(out[0]);
        close(err[0]);
        free(entry->dir);
        free(entry);
        finish(sock, 'O', message, 126);
        return sock;
    }
    entry->input = in[1];
    add_supervised(entry);
    send_frame(sock, 'O', pids, (uint32_t) strlen(pids));
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    struct attachment attachment = {sock};
    struct supervision supervision = {.dir = dir, .limit = atoll(argv[3]), .child = child, .out = out[0], .err = err[0],
                                      .wake = sock, .on_wake = hear_daemon, .on_end = end_input, .tell = tell_daemon,
                                      .context = &attachment};
    keep_output(&supervision);
    close_input(dir, 1);
    if (attachment.sock >= 0) {
        send_exit(attachment.sock, 0, 0);
    }
    return attachment.sock;
}

/* `supervise --input <dir>`: the request's input, given to the process in `dir`. */
static void input_here(int sock, struct request *request) {
    pthread_mutex_lock(&supervised_lock);
    struct supervised *entry = request->argv[2] ? find_supervised(request->argv[2]) : NULL;
    int input = entry && entry->input >= 0 ? fcntl(entry->input, F_DUPFD_CLOEXEC, 3) : -1;
    pthread_mutex_unlock(&supervised_lock);
    if (input < 0) {
        answer(sock, 'E', "perpetua: the process takes no input any more\n", 1);
        return;
    }
    int failed = 0;
    for (;;) {
        uint32_t length;
        char chunk[BUFFER];
        if (read_fully(sock, &length, 4)) {
            failed = 1;
            break;
        }
        length = ntohl(length);
        if (length == 0) {
            break;
        }
        while (length > 0 && !failed) {
            uint32_t take = length < sizeof chunk ? length : sizeof chunk;
            failed = read_fully(sock, chunk, take) || write_all(input, chunk, take);
            length -= take;
        }
        if (failed) {
            break;
        }
    }
    close(input);
    answer(sock, 'E', failed ? "perpetua: the process stopped taking input\n" : NULL, failed);
}

static void *serve(void *argument) {
    int sock = (int) (intptr_t) argument;
    struct request request = {0};
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct linger reset = {1, 0};
    setsockopt(sock, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    struct timeval limit = {30, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (read_request(sock, &request) == 0) {
        limit.tv_sec = 0;
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        if (request.detached && is_supervise(&request, "--attach")) {
            sock = supervise_here(sock, &request);
        } else if (is_supervise(&request, "--input")) {
            input_here(sock, &request);
        } else if (is_supervise(&request, "--close-input")) {
            int known = request.argv[2] && close_input(request.argv[2], 0) == 0;
            answer(sock, 'E', known ? NULL : "perpetua: the agent supervises no such process\n", !known);
        } else {
            run(sock, &request);
        }
    }
    if (sock >= 0) {
        await_close(sock);
        close(sock);
    }
    free(request.argv);
    free(request.env);
    free(request.data);
    return NULL;
}

static int listen_on_port(void) {
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(AGENT_PORT), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (sock < 0 || bind(sock, (struct sockaddr *) &address, sizeof address) || listen(sock, 128)) {
        if (sock >= 0) {
            close(sock);
        }
        return -1;
    }
    return sock;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int server;
    /* Somebody may hold the port (a user's program); the daemon runs commands the slow way meanwhile. */
    while ((server = listen_on_port()) < 0) {
        sleep(1);
    }
    for (;;) {
        int sock = accept4(server, NULL, NULL, SOCK_CLOEXEC);
        if (sock < 0) {
            if (errno != EINTR && errno != ECONNABORTED) {
                usleep(10000);
            }
            continue;
        }
        if (detach(serve, (void *) (intptr_t) sock)) {
            close(sock); /* the daemon sees no answer and runs the command the slow way */
        }
    }
}

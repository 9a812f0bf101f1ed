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

#define AGENT_PORT 49983
#define MAX_HEADER (4 << 20)
#define MAX_STRINGS 65536
#define BUFFER 65536
/* After the command exits, how long its pipes may stay open before they are left to a drainer. */
#define ORPHAN_GRACE_MS 50
/* How often a command whose pipes are open is checked for having exited. */
#define EXIT_POLL_MS 20

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
    int status, exited, signalled, gone;
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
    if (!env || !execution->input || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        free(env);
        free(execution->input);
        return -1;
    }
    execution->deadline = now_ms() + request->timeout_ms;
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
    if (execution->gone && execution->signalled == 0) {
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

/* After relaying: the command reaped, its leftover pipes drained, its exit status sent if the daemon still listens. */
static void end_command(struct execution *execution) {
    if (execution->fds[COMMAND_IN].fd >= 0) {
        close(execution->fds[COMMAND_IN].fd);
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
        run(sock, &request);
    }
    await_close(sock);
    free(request.argv);
    free(request.env);
    free(request.data);
    close(sock);
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

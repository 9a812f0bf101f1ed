/*
 * A supervised process's record in its directory, kept the same way by the supervise program
 * (a process of its own per supervised process) and by the agent (a thread of its own):
 *
 *   <dir>/meta    what the daemon records of the process, saved before it starts
 *   <dir>/pids    "<supervisor pid> <process pid>" once the process runs; " agent" follows
 *                 when the agent supervises it, which then also takes its input (see agent.c)
 *   <dir>/output  the process's output in order, as records: 1 byte stream ('o' stdout,
 *                 'e' stderr), 4 bytes big-endian length, the bytes. Once <limit> bytes are
 *                 kept, one record of stream 't' (truncated) ends it; later output is read and
 *                 dropped, so the process never blocks on a full pipe.
 *   <dir>/exit    written (to a temporary name, then renamed) when the process ends:
 *                 "exited <code>" or "killed <signal>".
 *
 * Nothing is flushed: the record matters while the process runs, a caller waits on it, and a
 * host crash ends the process with it.
 */
#ifndef PERPETUA_SUPERVISION_H
#define PERPETUA_SUPERVISION_H

#include <sys/types.h>

/* A process whose output is being kept. */
struct supervision {
    const char *dir;
    long long limit;  /* most output bytes kept */
    pid_t child;
    int out, err;     /* its output pipes' read ends */
    int wake;         /* readable when there is news for the supervisor (then on_wake is called; it may set
                         wake to -1), or -1 */
    int wake_on_end;  /* whether wake becomes readable when the process ends (a SIGCHLD handler writes to it);
                         if not, the process's end is looked for every so often */
    void (*on_wake)(struct supervision *);
    void (*on_end)(struct supervision *);  /* once the process ended, before its output is all read */
    void (*tell)(struct supervision *, char event); /* 'o' output recorded, 'x' the exit file is there; may be NULL */
    void *context;
};

/* Writes everything; 0 on success. */
int write_all(int fd, const void *data, size_t size);

/* Makes `dir` and its parents; 0 on success. */
int make_directories(const char *dir);

/* Writes <dir>/<name> whole or not at all: `size` bytes of `data`, then what `from_fd` (if not -1) reads; 0 on success. */
int save_file(const char *dir, const char *name, const void *data, size_t size, int from_fd);

/*
 * Keeps the process's output in <dir>/output until it ended and its output closed, then
 * writes <dir>/exit; returns its wait status. Closes the output pipes.
 */
int keep_output(struct supervision *s);

#endif

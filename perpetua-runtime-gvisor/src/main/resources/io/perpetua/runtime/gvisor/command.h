/*
 * Starting and stopping the command a helper looks after (agent.c, run.c, supervise.c), the
 * same way in each.
 *
 * The command is started with posix_spawn, not fork: glibc spawns with CLONE_VM|CLONE_VFORK,
 * so no copy of the helper's address space is made, and under the ptrace platform every new
 * address space costs a host process. It leads a process group of its own, so a timeout or a
 * signal reaches everything it starts; it has no signal blocked; and the signals the helper
 * handles or ignores for itself are back at their default handling.
 */
#ifndef PERPETUA_COMMAND_H
#define PERPETUA_COMMAND_H

#include <signal.h>
#include <sys/types.h>

/* How long a command has between SIGTERM at its deadline and SIGKILL. */
#define KILL_GRACE_MS 2000

struct command {
    const char *program;      /* a path; with search_path, a bare name is looked up on the helper's PATH */
    int search_path;
    char *const *argv;
    char *const *env;
    const char *cwd;          /* where it starts; NULL or "" for the helper's own directory */
    int stdio[3];             /* the descriptors that become its stdin, stdout and stderr */
    const sigset_t *defaults; /* the signals whose handling goes back to the default */
};

/* Starts `command`; returns 0 with its pid in *pid, or the error number of the failure. */
int spawn_command(const struct command *command, pid_t *pid);

/*
 * Sends the process group `group` SIGTERM once `deadline` (see now_ms) has passed, and SIGKILL
 * KILL_GRACE_MS later; *signalled counts the signals sent so far.
 */
void signal_past_deadline(pid_t group, long long deadline, int *signalled);

/* Milliseconds on a clock that never goes back. */
long long now_ms(void);

#endif

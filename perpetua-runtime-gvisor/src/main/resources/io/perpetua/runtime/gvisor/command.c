/* See command.h. */
#define _GNU_SOURCE
#include "command.h"

#include <spawn.h>
#include <time.h>

int spawn_command(const struct command *command, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (command->cwd && command->cwd[0]) {
        posix_spawn_file_actions_addchdir_np(&actions, command->cwd);
    }
    for (int fd = 0; fd < 3; fd++) {
        posix_spawn_file_actions_adddup2(&actions, command->stdio[fd], fd);
    }
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, command->defaults);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int failed = (command->search_path ? posix_spawnp : posix_spawn)(pid, command->program, &actions, &attributes,
                                                                     command->argv, command->env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return failed;
}

void signal_past_deadline(pid_t group, long long deadline, int *signalled) {
    if (*signalled == 0 && now_ms() >= deadline) {
        kill(-group, SIGTERM);
        *signalled = 1;
    } else if (*signalled == 1 && now_ms() >= deadline + KILL_GRACE_MS) {
        kill(-group, SIGKILL);
        *signalled = 2;
    }
}

long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

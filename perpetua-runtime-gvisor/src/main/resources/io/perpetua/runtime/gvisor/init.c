/*
 * PID 1 of every sandbox: does nothing but reap the orphans that are re-parented to it, so
 * background processes that exit never linger as zombies. Linked statically so it does not
 * depend on the template's libraries.
 *
 * SIGCHLD stays blocked except inside sigsuspend(), so a child that exits between the reaping
 * loop and the wait still wakes it.
 */
#include <signal.h>
#include <sys/wait.h>

static void on_child(int sig) {
    (void) sig;
}

int main(void) {
    sigset_t blocked, waiting;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGCHLD);
    signal(SIGCHLD, on_child);
    for (;;) {
        while (waitpid(-1, 0, WNOHANG) > 0) {
        }
        sigsuspend(&waiting);
    }
}

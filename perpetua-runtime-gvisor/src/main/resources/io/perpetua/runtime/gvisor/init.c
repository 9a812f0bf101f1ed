/*
 * PID 1 of every sandbox: starts the agent (agent.c), starts it again whenever it exits, and
 * otherwise only reaps the orphans that are re-parented to it, so background processes that
 * exit never linger as zombies. Linked statically so it does not depend on the template's
 * libraries.
 *
 * SIGCHLD and SIGALRM stay blocked except inside sigsuspend(), so a child that exits between
 * the reaping loop and the wait still wakes it.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AGENT "/opt/perpetua/bin/agent"

static void wake(int sig) {
    (void) sig;
}

static pid_t agent;
static time_t agent_started;

static void start_agent(void) {
    agent_started = time(0);
    agent = fork();
    if (agent == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, 0);
        signal(SIGCHLD, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        execl(AGENT, AGENT, (char *) 0);
        _exit(127);
    }
}

int main(void) {
    sigset_t blocked, waiting;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGCHLD);
    sigdelset(&waiting, SIGALRM);
    signal(SIGCHLD, wake);
    signal(SIGALRM, wake);
    start_agent();
    for (;;) {
        pid_t pid;
        while ((pid = waitpid(-1, 0, WNOHANG)) > 0) {
            if (pid == agent) {
                agent = 0;
            }
        }
        if (agent <= 0 && access(AGENT, X_OK) == 0) {
            /* At most once a second, so an agent that cannot start does not spin. */
            if (time(0) - agent_started >= 1) {
                start_agent();
            } else {
                alarm(1);
            }
        }
        sigsuspend(&waiting);
    }
}

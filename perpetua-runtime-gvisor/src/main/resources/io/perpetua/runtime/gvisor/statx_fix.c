/*
 * Preloaded into every process of the default template (through /etc/ld.so.preload).
 *
 * This runsc build answers statx() with EINVAL when AT_NO_AUTOMOUNT is among the flags, and
 * GNU coreutils (ls -l, stat) always pass it, so they fail with "Invalid argument". There are
 * no automount points inside a sandbox, so dropping the flag changes nothing else.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
    return (int) syscall(SYS_statx, dirfd, path, flags & ~AT_NO_AUTOMOUNT, mask, buf);
}

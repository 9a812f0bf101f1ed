/*
 * Reports changes below a directory, one line per change, for `GET /files/watch`:
 *
 *     watch <directory>
 *
 * prints "<event>\t<path>\n" with event created, modified or deleted (a rename is a deleted and
 * a created), and follows new subdirectories. Runs until killed. Uses inotify, which sees every
 * change made inside the sandbox.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_WATCHES 8192

static char *paths[MAX_WATCHES];

static void watch_tree(int fd, const char *dir) {
    int wd = inotify_add_watch(fd, dir, IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR);
    if (wd < 0 || wd >= MAX_WATCHES) {
        return;
    }
    free(paths[wd]);
    paths[wd] = strdup(dir);
    DIR *listing = opendir(dir);
    if (listing == NULL) {
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (entry->d_type == DT_DIR && strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            char child[PATH_MAX];
            snprintf(child, sizeof child, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, entry->d_name);
            watch_tree(fd, child);
        }
    }
    closedir(listing);
}

int main(int argc, char **argv) {
    struct stat st;
    if (argc != 2 || stat(argv[1], &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "usage: watch <directory>\n");
        return 2;
    }
    int fd = inotify_init1(IN_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "perpetua: inotify: %s\n", strerror(errno));
        return 126;
    }
    watch_tree(fd, argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    char buffer[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return 1;
        }
        for (char *at = buffer; at < buffer + n;) {
            struct inotify_event *event = (struct inotify_event *) at;
            at += sizeof *event + event->len;
            if (event->len == 0 || event->wd < 0 || event->wd >= MAX_WATCHES || paths[event->wd] == NULL) {
                continue;
            }
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", strcmp(paths[event->wd], "/") == 0 ? "" : paths[event->wd], event->name);
            const char *kind = event->mask & (IN_CREATE | IN_MOVED_TO) ? "created"
                    : event->mask & (IN_DELETE | IN_MOVED_FROM) ? "deleted" : "modified";
            printf("%s\t%s\n", kind, path);
            if ((event->mask & (IN_CREATE | IN_MOVED_TO)) && (event->mask & IN_ISDIR)) {
                watch_tree(fd, path);
            }
        }
    }
}

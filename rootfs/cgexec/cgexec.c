/* minipod cgexec: run a program inside a pod's cgroups from its very first instruction.
 *
 *   cgexec CGROUP_DIR[:CGROUP_DIR...] PROGRAM [ARGS...]
 *
 * Writes "0" (this process) to each CGROUP_DIR/cgroup.procs in turn (the unified cgroup2 one, and
 * on a hybrid machine the pod's v1 pids cgroup that holds the pod's pids limit), then execs
 * PROGRAM (an absolute path) in place: the pid the daemon spawned is PROGRAM's, and nothing
 * PROGRAM forks can start outside them. Moving a pid in from outside after the spawn would leave
 * a window in which an app could fork a child that escapes the pod's cgroup, and with it `rm`'s
 * kill and the pod's pids limit. Cgroup names never hold ':' (lib/cgroup/cgroup.ts checks them).
 * Exits 125 if it cannot join a cgroup, 127 if PROGRAM cannot be executed (as env(1) does). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int join(const char *dir, size_t len) {
  char path[4096];
  if (snprintf(path, sizeof path, "%.*s/cgroup.procs", (int)len, dir) >= (int)sizeof path) {
    fprintf(stderr, "cgexec: cgroup path too long\n");
    return -1;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) {
    fprintf(stderr, "cgexec: cannot join %.*s: %s\n", (int)len, dir, strerror(errno));
    return -1;
  }
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argv[2][0] != '/') {
    fprintf(stderr, "usage: cgexec CGROUP_DIR[:CGROUP_DIR...] /ABSOLUTE/PROGRAM [ARGS...]\n");
    return 125;
  }
  for (const char *dir = argv[1];;) {
    const char *end = strchr(dir, ':');
    size_t len = end ? (size_t)(end - dir) : strlen(dir);
    if (join(dir, len) < 0) return 125;
    if (!end) break;
    dir = end + 1;
  }
  execv(argv[2], argv + 2);
  fprintf(stderr, "cgexec: cannot execute %s: %s\n", argv[2], strerror(errno));
  return 127;
}

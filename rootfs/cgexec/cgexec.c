/* minipod cgexec: run a program inside a cgroup (v2) from its very first instruction.
 *
 *   cgexec CGROUP_DIR PROGRAM [ARGS...]
 *
 * Writes "0" (this process) to CGROUP_DIR/cgroup.procs, then execs PROGRAM (an absolute path)
 * in place: the pid the daemon spawned is PROGRAM's, and nothing PROGRAM forks can start outside
 * the cgroup. Moving a pid in from outside after the spawn would leave a window in which an app
 * could fork a child that escapes the pod's cgroup, and with it `rm`'s kill.
 * Exits 125 if it cannot join the cgroup, 127 if PROGRAM cannot be executed (as env(1) does). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3 || argv[2][0] != '/') {
    fprintf(stderr, "usage: cgexec CGROUP_DIR /ABSOLUTE/PROGRAM [ARGS...]\n");
    return 125;
  }
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", argv[1]) >= (int)sizeof path) {
    fprintf(stderr, "cgexec: cgroup path too long\n");
    return 125;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) {
    fprintf(stderr, "cgexec: cannot join %s: %s\n", argv[1], strerror(errno));
    return 125;
  }
  close(fd);
  execv(argv[2], argv + 2);
  fprintf(stderr, "cgexec: cannot execute %s: %s\n", argv[2], strerror(errno));
  return 127;
}

/* minipod cgexec: run a program inside a pod's cgroups from its very first instruction.
 *
 *   cgexec CGROUP_DIR[:CGROUP_DIR...] PROGRAM [ARGS...]
 *   cgexec - PROGRAM [ARGS...]
 *   cgexec --detach CGROUP2_DIR PROGRAM [ARGS...]
 *
 * Writes "0" (this process) to each CGROUP_DIR/cgroup.procs in turn (the unified cgroup2 one, and
 * on a hybrid machine the pod's v1 pids cgroup that holds the pod's pids limit), then execs
 * PROGRAM (an absolute path) in place: the pid the daemon spawned is PROGRAM's, and nothing
 * PROGRAM forks can start outside them. Moving a pid in from outside after the spawn would leave
 * a window in which an app could fork a child that escapes the pod's cgroup, and with it `rm`'s
 * kill and the pod's pids limit. Cgroup names never hold ':' (lib/cgroup/cgroup.ts checks them).
 * PROGRAM starts with umask 022, as runc starts a container's process, not with the daemon's 077;
 * with "-" for the cgroups it joins none and only does that (`runc exec`, whose command inherits
 * runc's umask: runc 1.1 does not apply process.user.umask to an exec).
 * Exits 125 if it cannot join a cgroup, 127 if PROGRAM cannot be executed (as env(1) does).
 *
 * --detach starts PROGRAM as a child born in one cgroup2 directory (clone3's CLONE_INTO_CGROUP),
 * prints its pid on stdout once it has exec'd, and exits 0 without waiting for it: a daemon's
 * launcher. Moving a running process between cgroups waits for an RCU grace period (the kernel
 * makes every fork wait on a lock that changes hands only then), 15-20 ms of a node daemon's start
 * on these machines; a process born in its cgroup never moves. PROGRAM's stdout is cgexec's stderr
 * (the launcher's log): stdout carries the pid alone. Where clone3 cannot place the child (a kernel
 * before 5.7, a cgroup that refuses it) the child joins as above. Exits as above if the child
 * cannot join or exec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* clone3's arguments up to `cgroup` (CLONE_ARGS_SIZE_VER2), and what older kernel headers lack:
 * built anywhere, the call fails at run time on a kernel before 5.7 and the fork below serves. */
struct clone3_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

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

/* The child's side of --detach: into the cgroup unless born there, stdout to the log, then
 * PROGRAM. A failure is told on `failed` (closed on exec) before the child exits, and why goes to the log. */
static void run_detached(const char *dir, int born_in, int failed, char **argv) {
  int code = 125;
  if (born_in || join(dir, strlen(dir)) == 0) {
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execv(argv[0], argv);
    fprintf(stderr, "cgexec: cannot execute %s: %s\n", argv[0], strerror(errno));
    code = 127;
  }
  (void)!write(failed, "x", 1); /* the parent waits for this exit either way */
  _exit(code);
}

static int detach(const char *dir, char **argv) {
  int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0) {
    fprintf(stderr, "cgexec: cannot open %s: %s\n", dir, strerror(errno));
    return 125;
  }
  int failed[2];
  if (pipe2(failed, O_CLOEXEC) < 0) {
    fprintf(stderr, "cgexec: cannot make a pipe: %s\n", strerror(errno));
    return 125;
  }
  struct clone3_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)cg;
  int born_in = 1;
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    /* Born outside, then moved: the child joins before it execs, so PROGRAM never runs outside. */
    born_in = 0;
    pid = fork();
  }
  if (pid == 0) run_detached(dir, born_in, failed[1], argv);
  if (pid < 0) {
    fprintf(stderr, "cgexec: cannot start %s: %s\n", argv[0], strerror(errno));
    return 125;
  }
  close(failed[1]);
  char byte;
  ssize_t n;
  while ((n = read(failed[0], &byte, 1)) < 0 && errno == EINTR) {
  }
  if (n < 0) kill(pid, SIGKILL); /* not told whether it runs: it must not run unknown */
  if (n != 0) {
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    return n > 0 && got == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 125;
  }
  printf("%d\n", (int)pid); /* exec'd: PROGRAM runs, and is init's to reap once this exits */
  return fflush(stdout) == 0 ? 0 : 125;
}

int main(int argc, char **argv) {
  int detached = argc > 1 && strcmp(argv[1], "--detach") == 0;
  if (detached && argc >= 4 && argv[3][0] == '/') return detach(argv[2], argv + 3);
  if (detached || argc < 3 || argv[2][0] != '/') {
    fprintf(stderr, "usage: cgexec CGROUP_DIR[:CGROUP_DIR...]|- /ABSOLUTE/PROGRAM [ARGS...]\n"
                    "       cgexec --detach CGROUP2_DIR /ABSOLUTE/PROGRAM [ARGS...]\n");
    return 125;
  }
  for (const char *dir = argv[1]; strcmp(dir, "-") != 0;) { /* "-": no cgroup to join (an OCI runtime's exec joins its own) */
    const char *end = strchr(dir, ':');
    size_t len = end ? (size_t)(end - dir) : strlen(dir);
    if (join(dir, len) < 0) return 125;
    if (!end) break;
    dir = end + 1;
  }
  umask(022); /* a pod's process starts as a container's does (runc's default), not with the daemon's 077 */
  execv(argv[2], argv + 2);
  fprintf(stderr, "cgexec: cannot execute %s: %s\n", argv[2], strerror(errno));
  return 127;
}

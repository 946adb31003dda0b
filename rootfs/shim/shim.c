/* minipod shim: keeps a container's exit status when no daemon is there to hear it.
 *
 *   shim STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]              (PROGRAM: `runc run --keep …`, in the foreground)
 *   shim -p PID_FILE STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]  (PROGRAM: `crun run --detach …`)
 *
 * Forks PROGRAM, waits for it, and writes how it ended to STATUS_FILE ("code N\n" or
 * "signal N\n"; a new file renamed into place, so a reader sees all or nothing), then exits the
 * same way (a code, or 128 + the signal). The daemon that spawned the shim hears that exit as its
 * child's; a daemon that re-adopted the container after a restart is not the shim's parent and
 * reads STATUS_FILE instead — as containerd's shim keeps a container's exit for the next daemon.
 *
 * With -p the runtime detaches (crun 1.8 has no `run --keep`, and only a detached container is
 * kept, cgroups included, until `delete`): the shim is a child subreaper, so the container's PID 1
 * (its pid in PID_FILE once PROGRAM has exited 0) becomes the shim's child, and the shim waits for
 * it as conmon does. Its status is written as runc reports its own container's: "code N", or
 * "code 128+S" for a signal S — the same line whichever runtime ran the container.
 *
 * The shim outlives the daemon (it is spawned in a session of its own) and leaves stdio to PROGRAM.
 * Exits 125 if it cannot run PROGRAM at all. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The container's pid from the runtime's pid file; 0 if there is none. */
static pid_t read_pid(const char *file) {
  char buf[32] = {0};
  int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
  return pid > 0 ? (pid_t)pid : 0;
}

/* Wait for pid, reaping any other orphan handed to us meanwhile; -1 if it is not ours. */
static int wait_for(pid_t pid, int *status) {
  for (;;) {
    int s;
    pid_t got = waitpid(-1, &s, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (got == pid) {
      *status = s;
      return 0;
    }
  }
}

int main(int argc, char **argv) {
  const char *pid_file = NULL;
  if (argc > 2 && strcmp(argv[1], "-p") == 0) {
    pid_file = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc < 3 || argv[2][0] != '/') {
    fprintf(stderr, "usage: shim [-p PID_FILE] STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]\n");
    return 125;
  }
  /* Before the fork: the container's PID 1 is reparented to us the moment the runtime exits. */
  if (pid_file && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    fprintf(stderr, "shim: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
    return 125;
  }
  pid_t child = fork();
  if (child < 0) {
    fprintf(stderr, "shim: fork: %s\n", strerror(errno));
    return 125;
  }
  if (child == 0) {
    execv(argv[2], argv + 2);
    fprintf(stderr, "shim: cannot execute %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  /* The daemon's SIGTERM or Ctrl-C is not for the container: it is stopped through its own pid. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  int status;
  if (wait_for(child, &status) < 0) return 125;
  if (pid_file && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    pid_t pid = read_pid(pid_file);
    if (pid <= 0 || wait_for(pid, &status) < 0) {
      fprintf(stderr, "shim: the runtime started no container of ours (pid file %s)\n", pid_file);
      status = 125 << 8; /* "code 125" */
    } else if (WIFSIGNALED(status)) {
      status = ((128 + WTERMSIG(status)) & 0xff) << 8;
    }
  }
  char tmp[4096], line[64];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) < (int)sizeof tmp) {
    int n = WIFSIGNALED(status) ? snprintf(line, sizeof line, "signal %d\n", WTERMSIG(status)) : snprintf(line, sizeof line, "code %d\n", WEXITSTATUS(status));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      int ok = write(fd, line, n) == n && fsync(fd) == 0;
      close(fd);
      if (ok) rename(tmp, argv[1]);
    }
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

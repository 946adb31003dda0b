/* minipod shim: keeps a container's exit status when no daemon is there to hear it.
 *
 *   shim STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]      (PROGRAM: `runc run …`, in the foreground)
 *
 * Forks PROGRAM, waits for it, and writes how it ended to STATUS_FILE ("code N\n" or
 * "signal N\n"; a new file renamed into place, so a reader sees all or nothing), then exits the
 * same way (a code, or 128 + the signal). The daemon that spawned the shim hears that exit as its
 * child's; a daemon that re-adopted the container after a restart is not the shim's parent and
 * reads STATUS_FILE instead — as containerd's shim keeps a container's exit for the next daemon.
 * The shim outlives the daemon (it is spawned in a session of its own) and leaves stdio to PROGRAM.
 * Exits 125 if it cannot run PROGRAM at all. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3 || argv[2][0] != '/') {
    fprintf(stderr, "usage: shim STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]\n");
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
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 125;
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

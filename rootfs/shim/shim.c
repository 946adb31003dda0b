/* minipod shim: keeps a container's exit status when no daemon is there to hear it.
 *
 *   shim [-s] [-p] [-r PID_FILE] STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]
 *
 * PROGRAM is `runc run --keep …` in the foreground or `crun run --detach …` (-r) for a container
 * with an image, or the app itself
 * entered into the pod by cgexec and nsenter (one without). The shim forks PROGRAM, waits for it,
 * and writes how it ended to STATUS_FILE ("code N\n" or "signal N\n"), then exits the same way (a
 * code, or 128 + the signal). The daemon that spawned the shim hears that exit as its child's; a
 * daemon that re-adopted the container after a restart is not the shim's parent and reads
 * STATUS_FILE instead — as containerd's shim keeps a container's exit for the next daemon.
 *
 *   -p  PROGRAM's pid is written to our stdout ("N\n", a pipe the daemon reads) before PROGRAM
 *       runs, whose stdout is then our stderr (the container's log): the daemon records and
 *       watches the app's own pid, not ours, and nothing is written to disk to start it.
 *   -s  PROGRAM starts a session (and process group) of its own, as an app the daemon spawned
 *       itself did: a stop signals its group, and never us.
 *   -r  the runtime detaches (crun 1.8 has no `run --keep`, and only a detached container is kept,
 *       cgroups included, until `delete`): the shim is a child subreaper, so the container's PID 1
 *       (its pid in PID_FILE once PROGRAM has exited 0) becomes the shim's child, and the shim
 *       waits for it as conmon does. Its status is written as runc reports its own container's:
 *       "code N", or "code 128+S" for a signal S — the same line whichever runtime ran it.
 *
 * STATUS_FILE is written to NAME.tmp and renamed into place, so a reader sees all or nothing. The shim
 * outlives the daemon (the daemon spawns it in a session of its own), ignores the daemon's SIGINT,
 * SIGTERM and SIGHUP (a container is stopped through its own pid), leaves stdio to PROGRAM, and
 * ends with it. Nothing ties PROGRAM's life to ours: should the shim be killed, PROGRAM runs on
 * (and the daemon, hearing the shim die without a status, watches PROGRAM's pid instead).
 * Exits 125 if it cannot run PROGRAM at all. A STATUS_FILE that cannot be written (a full disk)
 * is said on stderr; the exit code still tells the daemon that spawned us. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* FILE = TEXT, through FILE.tmp and rename(2); 0 on success. */
static int write_file(const char *file, const char *text, int n) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  int ok = write(fd, text, n) == n && fsync(fd) == 0;
  close(fd);
  if (ok && rename(tmp, file) == 0) return 0;
  unlink(tmp);
  return -1;
}

static int usage(void) {
  fprintf(stderr, "usage: shim [-s] [-p] [-r PID_FILE] STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]\n");
  return 125;
}

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
  int new_session = 0, tell_pid = 0, opt;
  const char *pid_file = NULL;
  while ((opt = getopt(argc, argv, "+spr:")) != -1) {
    if (opt == 's') new_session = 1;
    else if (opt == 'p') tell_pid = 1;
    else if (opt == 'r') pid_file = optarg;
    else return usage();
  }
  if (argc - optind < 2 || argv[optind + 1][0] != '/') return usage();
  const char *status_file = argv[optind];
  char **program = argv + optind + 1;
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
    char line[32];
    if (new_session && setsid() < 0) {
      fprintf(stderr, "shim: setsid: %s\n", strerror(errno));
      _exit(125);
    }
    /* Told by the child itself before it execs: the daemon never reads a pid that is not yet
     * PROGRAM's. A daemon gone meanwhile is no reason to die of SIGPIPE: PROGRAM runs anyway. */
    if (tell_pid) {
      int n = snprintf(line, sizeof line, "%d\n", (int)getpid());
      signal(SIGPIPE, SIG_IGN);
      if (write(STDOUT_FILENO, line, n) != n) fprintf(stderr, "shim: cannot tell the daemon pid %d: %s\n", (int)getpid(), strerror(errno));
      signal(SIGPIPE, SIG_DFL);
      if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) _exit(125);
    }
    execv(program[0], program);
    fprintf(stderr, "shim: cannot execute %s: %s\n", program[0], strerror(errno));
    _exit(127);
  }
  /* The pipe is the child's to write: ours closed, its end is seen once the child has written. */
  if (tell_pid) dup2(STDERR_FILENO, STDOUT_FILENO);
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
  char line[64];
  int n = WIFSIGNALED(status) ? snprintf(line, sizeof line, "signal %d\n", WTERMSIG(status)) : snprintf(line, sizeof line, "code %d\n", WEXITSTATUS(status));
  if (write_file(status_file, line, n) < 0) fprintf(stderr, "shim: cannot write %s: %s\n", status_file, strerror(errno));
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* minipod shim: keeps a container's exit status when no daemon is there to hear it.
 *
 *   shim [-s] [-p] [-l] [-r PID_FILE] STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]
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
 *   -l  our stderr is the container's log file (O_APPEND): PROGRAM's stdout and stderr are pipes
 *       we read, and each line is appended in CRI's log format, as containerd's and CRI-O's
 *       runtimes write it for kubelet: "TIMESTAMP STREAM TAG CONTENT\n", TIMESTAMP RFC 3339 with
 *       nanoseconds in UTC (the time we read it), STREAM stdout|stderr, TAG F for a full line
 *       (its newline dropped) or P for a part (a line longer than 16 KiB, or output that ended
 *       without a newline). One write per read, so a record is never split. A record that cannot
 *       be written (a full disk) is dropped: the app never waits for the disk. Once PROGRAM has
 *       ended, what its pipes hold is written and we exit; a process it left behind that writes
 *       on then gets EPIPE, as under conmon. Our own messages are records of stream stderr.
 *
 * STATUS_FILE is written to NAME.tmp and renamed into place, so a reader sees all or nothing. The shim
 * outlives the daemon (the daemon spawns it in a session of its own), ignores the daemon's SIGINT,
 * SIGTERM and SIGHUP (a container is stopped through its own pid), leaves stdio to PROGRAM (but with -l), and
 * ends with it. Nothing ties PROGRAM's life to ours: should the shim be killed, PROGRAM runs on
 * (and the daemon, hearing the shim die without a status, watches PROGRAM's pid instead; with
 * -l its output has nowhere to go: a write gets EPIPE, or SIGPIPE if it does not handle that).
 * Exits 125 if it cannot run PROGRAM at all. A STATUS_FILE that cannot be written (a full disk)
 * is said on stderr; the exit code still tells the daemon that spawned us. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* kubelet's longest line: a longer one is cut into P records of this size. */
#define LINE_MAX_BYTES 16384
/* A record's head: "2006-01-02T15:04:05.000000000Z stdout P " and its newline. */
#define HEAD_BYTES 48

static int log_fd = -1; /* -l: the container's log */

struct stream {
  int fd; /* read end of PROGRAM's pipe; -1 once it is closed */
  const char *name;
  char line[LINE_MAX_BYTES];
  size_t len;
};

/* One CRI record appended to out (which has room for it). */
static size_t record(char *out, const char *stream, char tag, const char *text, size_t n) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  k += (size_t)snprintf(out + k, HEAD_BYTES, ".%09ldZ %s %c ", ts.tv_nsec, stream, tag);
  memcpy(out + k, text, n);
  out[k + n] = '\n';
  return k + n + 1;
}

static void append(const char *buf, size_t n) {
  /* Dropped if it cannot be written (ENOSPC): the app's output is never held back. */
  while (n > 0) {
    ssize_t w = write(log_fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf += w;
    n -= (size_t)w;
  }
}

/* Our own message: a plain line on stderr, or a stderr record in the log. */
static void say(const char *fmt, ...) {
  char text[512], out[512 + HEAD_BYTES];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof text) n = sizeof text - 1;
  if (n > 0 && text[n - 1] == '\n') n--;
  if (log_fd < 0) {
    fprintf(stderr, "%.*s\n", n, text);
    return;
  }
  append(out, record(out, "stderr", 'F', text, (size_t)n));
}

/* Read what s's pipe holds (at most one read) and append its full lines; a line that fills the
 * buffer goes out as P. 1 after a read, -1 if there was nothing to read, 0 at EOF (or an error),
 * when the pipe is closed and the rest flushed. */
static int pump(struct stream *s) {
  static char out[2 * (LINE_MAX_BYTES + HEAD_BYTES)];
  ssize_t n;
  do n = read(s->fd, s->line + s->len, sizeof s->line - s->len);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return -1;
  size_t o = 0;
  if (n <= 0) {
    if (s->len) append(out, record(out, s->name, 'P', s->line, s->len));
    s->len = 0;
    close(s->fd);
    s->fd = -1;
    return 0;
  }
  s->len += (size_t)n;
  size_t start = 0;
  for (size_t i = s->len - (size_t)n; i < s->len; i++) {
    if (s->line[i] != '\n') continue;
    if (o + (i - start) + HEAD_BYTES > sizeof out) {
      append(out, o);
      o = 0;
    }
    o += record(out + o, s->name, 'F', s->line + start, i - start);
    start = i + 1;
  }
  if (start == 0 && s->len == sizeof s->line) { /* no newline in a full buffer */
    if (o + s->len + HEAD_BYTES > sizeof out) {
      append(out, o);
      o = 0;
    }
    o += record(out + o, s->name, 'P', s->line, s->len);
    start = s->len;
  }
  append(out, o);
  memmove(s->line, s->line + start, s->len - start);
  s->len -= start;
  return 1;
}

static int sigchld_pipe[2] = {-1, -1};

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigchld_pipe[1], "", 1) < 0) { /* full: a wake-up is already pending */ }
  errno = saved;
}

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
  fprintf(stderr, "usage: shim [-s] [-p] [-l] [-r PID_FILE] STATUS_FILE /ABSOLUTE/PROGRAM [ARGS...]\n");
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

/* -l: relay PROGRAM's output into the log until the process we wait for (PROGRAM, or with -r the
 * container whose pid the runtime wrote) has ended; then what the pipes still hold. Its wait
 * status, or 125 << 8 if the runtime started none of ours. */
static int relay(pid_t child, const char *pid_file, struct stream *out, struct stream *err) {
  pid_t target = child;
  int status = 125 << 8;
  for (;;) {
    struct pollfd p[3] = {{sigchld_pipe[0], POLLIN, 0}, {out->fd, POLLIN, 0}, {err->fd, POLLIN, 0}};
    if (poll(p, 3, -1) < 0 && errno != EINTR) break;
    if (p[1].revents) pump(out);
    if (p[2].revents) pump(err);
    if (!p[0].revents) continue;
    char drain[64];
    while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {}
    int s, done = 0;
    pid_t got;
    /* One at a time: the runtime's exit switches the target before the container (ours by then,
     * or once a process of the runtime's between us has exited too) is reaped. */
    while (!done && (got = waitpid(-1, &s, WNOHANG)) != 0) {
      if (got < 0) {
        /* No child left at all: the container the runtime named never became ours. */
        if (errno == EINTR) continue;
        say("shim: the runtime started no container of ours (pid file %s)", pid_file ? pid_file : "-");
        done = 1;
      } else if (got != target) {
        continue;
      } else if (!pid_file || target != child || !WIFEXITED(s) || WEXITSTATUS(s) != 0) {
        status = s;
        done = 1;
      } else if ((target = read_pid(pid_file)) <= 0) {
        say("shim: the runtime started no container of ours (pid file %s)", pid_file);
        done = 1;
      }
    }
    if (done && pid_file && target != child && target > 0 && WIFSIGNALED(status)) status = ((128 + WTERMSIG(status)) & 0xff) << 8;
    if (done) break;
  }
  while (out->fd >= 0 && pump(out) > 0) {}
  while (err->fd >= 0 && pump(err) > 0) {}
  return status;
}

int main(int argc, char **argv) {
  int new_session = 0, tell_pid = 0, logging = 0, opt;
  const char *pid_file = NULL;
  while ((opt = getopt(argc, argv, "+splr:")) != -1) {
    if (opt == 's') new_session = 1;
    else if (opt == 'p') tell_pid = 1;
    else if (opt == 'l') logging = 1;
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
  /* -l: the pipes PROGRAM writes to, and SIGCHLD as a byte on a pipe, so one poll waits for both. */
  int pout[2], perr[2];
  struct stream out = {.fd = -1, .name = "stdout"}, err = {.fd = -1, .name = "stderr"};
  if (logging) {
    struct sigaction sa = {0};
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    if ((log_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
        pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0 || sigaction(SIGCHLD, &sa, NULL) < 0) {
      fprintf(stderr, "shim: cannot set up the log relay: %s\n", strerror(errno));
      return 125;
    }
  }
  pid_t child = fork();
  if (child < 0) {
    say("shim: fork: %s", strerror(errno));
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
      if (!logging && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) _exit(125);
    }
    if (logging && (dup2(pout[1], STDOUT_FILENO) < 0 || dup2(perr[1], STDERR_FILENO) < 0)) _exit(125);
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
  if (logging) {
    close(pout[1]);
    close(perr[1]);
    out.fd = pout[0];
    err.fd = perr[0];
    fcntl(out.fd, F_SETFL, O_NONBLOCK);
    fcntl(err.fd, F_SETFL, O_NONBLOCK);
    status = relay(child, pid_file, &out, &err);
  } else {
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
  }
  char line[64];
  int n = WIFSIGNALED(status) ? snprintf(line, sizeof line, "signal %d\n", WTERMSIG(status)) : snprintf(line, sizeof line, "code %d\n", WEXITSTATUS(status));
  if (write_file(status_file, line, n) < 0) say("shim: cannot write %s: %s", status_file, strerror(errno));
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

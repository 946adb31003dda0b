/* minipod pidwatch: tells the daemon when processes that are not its children exit.
 *
 * A daemon hears of its own children's deaths from the kernel (SIGCHLD). The pods a restarted
 * daemon re-adopts were started by the daemon before it, so they are not its children; Node has
 * no pidfd, so this one long-lived helper holds a pidfd per process and polls them all.
 *
 * Protocol (one line each way per process):
 *   stdin  "watch PID STARTTIME\n"   STARTTIME: field 22 of /proc/PID/stat when it was recorded
 *   stdout "exit PID code N\n"       it exited with status N
 *          "exit PID signal N\n"     it was killed by signal N
 *          "exit PID unknown\n"      it exited; its parent reaped it before we could read how
 *          "gone PID\n"              not there at all, or another process has its pid now
 *          "error PID ERRNO\n"       it could not be watched (no pidfd, no memory): ask again later
 *   stdin  "ping TOKEN\n"            liveness: answered "pong TOKEN\n" at once (TOKEN: up to 23
 *   stdout "pong TOKEN\n"            characters, no spaces). A pidwatch that is stopped (SIGSTOP)
 *                                    or stuck answers no ping: the daemon kills and replaces it.
 * The pidfd is opened before the start time is compared, so a pid reused after the comparison
 * can never be mistaken for ours. Exits when stdin closes (the daemon went away). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Fields of /proc/PID/stat after the command name; field n (1-based) is fields[n - 3]. */
static int stat_fields(int pid, char fields[][24], int want) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
  if (!p) return -1;
  p += 2;
  int i = 0;
  for (char *tok = strtok(p, " \n"); tok && i < want; tok = strtok(NULL, " \n")) {
    strncpy(fields[i], tok, 23);
    fields[i++][23] = 0;
  }
  return i;
}

/* Each pidfd's start time, indexed by the descriptor: checked again when it reports an exit. */
static char (*starts)[24];
static size_t nstarts;

static int remember(int fd, const char *start) {
  if ((size_t)fd >= nstarts) {
    size_t n = (size_t)fd * 2 + 16;
    char(*grown)[24] = realloc(starts, n * sizeof *starts);
    if (!grown) return -1;
    starts = grown;
    nstarts = n;
  }
  strncpy(starts[fd], start, 23);
  starts[fd][23] = 0;
  return 0;
}

/* A zombie keeps its wait status in field 52 until its parent reaps it. Once reaped, its pid may
 * belong to another process (another zombie even): the start time says whether it is ours. */
static void report_exit(int pid, const char *start) {
  char f[50][24];
  if (stat_fields(pid, f, 50) == 50 && f[0][0] == 'Z' && strcmp(f[19], start) == 0) {
    int status = atoi(f[49]);
    if (status & 0x7f) printf("exit %d signal %d\n", pid, status & 0x7f);
    else printf("exit %d code %d\n", pid, (status >> 8) & 0xff);
  } else {
    printf("exit %d unknown\n", pid);
  }
}

static void watch(int ep, int pid, const char *start) {
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  int err = errno;
  char f[20][24];
  int ours = stat_fields(pid, f, 20) == 20 && strcmp(f[19], start) == 0;
  if (fd < 0 && err != ESRCH && ours) { /* ours and there, but no pidfd for it (ENOSYS, EMFILE…) */
    printf("error %d %d\n", pid, err);
    return;
  }
  if (fd < 0 || !ours) {
    if (fd >= 0) close(fd);
    printf("gone %d\n", pid);
    return;
  }
  if (f[0][0] == 'Z') { /* ours, and already exited: its status is still there to read */
    close(fd);
    report_exit(pid, start);
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ((unsigned long long)(unsigned)fd << 32) | (unsigned)pid};
  if (remember(fd, start) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
    printf("error %d %d\n", pid, errno);
    close(fd);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) { perror("epoll_create1"); return 1; }
  struct epoll_event in = {.events = EPOLLIN, .data.u64 = 0};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in) < 0) { perror("epoll stdin"); return 1; }
  char line[256];
  size_t len = 0;
  for (;;) {
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { perror("epoll_wait"); return 1; }
    for (int i = 0; i < n; i++) {
      if (evs[i].data.u64 == 0) {
        ssize_t r = read(0, line + len, sizeof line - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0; /* the daemon is gone */
        len += (size_t)r;
        line[len] = 0;
        char *nl;
        while ((nl = strchr(line, '\n'))) {
          *nl = 0;
          int pid;
          char start[24];
          if (sscanf(line, "watch %d %23s", &pid, start) == 2 && pid > 0) watch(ep, pid, start);
          else if (sscanf(line, "ping %23s", start) == 1) printf("pong %s\n", start);
          else fprintf(stderr, "pidwatch: bad request: %s\n", line);
          len -= (size_t)(nl + 1 - line);
          memmove(line, nl + 1, len + 1);
        }
        if (len == sizeof line - 1) len = 0; /* an overlong line: drop it */
      } else {
        int pid = (int)(evs[i].data.u64 & 0xffffffffu), fd = (int)(evs[i].data.u64 >> 32);
        report_exit(pid, starts[fd]);
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
      }
    }
  }
}

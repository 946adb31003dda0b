/* minipod pause: the sandbox holder. It creates the pod's network, UTS and IPC namespaces,
 * configures its own side of the network once the daemon has created the veth peer inside
 * them, then sleeps holding them until signalled.
 *
 * Protocol with the daemon (one spawn per sandbox, see docs/ARCHITECTURE.md, "The C helpers"):
 *   pause -n                            new namespaces; the daemon may keep one started ahead
 *   stdout "ns\n"                       namespaces exist, lo is up: the daemon adds the veth
 *   stdin  "unbind PATH\n"               optional, before the config: unmount (lazily) every
 *   stdout "unbound\n"                   network namespace mounted on PATH, the `ip netns` name
 *                                       of the sandbox we replace, whose holder died (a recovery
 *                                       then spawns no umount); "error <text>" and exit 1 if one fails
 *   stdin  "HOSTNAME ADDR/PREFIX GW MAC\n" eth0 is in our namespace: name us, give it MAC (the
 *                                       daemon makes the veth before the pod's address is leased,
 *                                       so the peer is born with a random one), address it, route
 *   stdout "ready\n"                    or "error <text>\n" (and exit 1)
 *   stdin  "bind PATH\n"                 optional, repeatable: bind-mount our network namespace on
 *   stdout "bound\n"                     PATH (its `ip netns` name), as `mount --bind /proc/PID/ns/net
 *                                       PATH` would, without a mount process; "error <text>" and
 *                                       exit 1 if it fails. EOF on stdin: we only hold from then on.
 *                                       On SIGTERM/SIGINT each PATH still holding our namespace is
 *                                       unmounted (lazily) before we exit: the daemon's stop needs
 *                                       no umount process either.
 *   pause -i                            hostNetwork: a new IPC namespace only (the node's network
 *                                       and hostname stay), stdout "ns\n", then hold; no config
 *   pause                               no flag: just hold the namespaces we were started in
 *                                       (a holder that rejoins a pod, or PID 1 of a PID ns)
 * Reaps children (SIGCHLD) so it can be PID 1 of a PID namespace; SIGTERM/SIGINT exit 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netconf.h" /* set_up, set_mac, configure_eth0 */

#define VERSION "minipod-pause 0.1.0"

static void fail(const char *what) {
  dprintf(1, "error %s: %s\n", what, strerror(errno));
  exit(1);
}

/* The paths we bound our namespace on (the daemon asks for one; a few more are kept, no more). */
#define MAX_BOUND 4
static char bound[MAX_BOUND][4200];
static volatile sig_atomic_t nbound;

/* Unmount what we bound, where it is still our namespace (not one mounted over it since), then
 * exit. stat and umount2 are async-signal-safe. */
static void on_term(int sig) {
  (void)sig;
  struct stat own, at;
  if (stat("/proc/self/ns/net", &own) == 0)
    for (int i = 0; i < nbound; i++)
      if (stat(bound[i], &at) == 0 && at.st_dev == own.st_dev && at.st_ino == own.st_ino) umount2(bound[i], MNT_DETACH);
  _exit(0);
}

static void on_chld(int sig) {
  (void)sig;
  int saved = errno; /* a handler must not change errno under the code it interrupted */
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
  errno = saved;
}

/* One line from stdin, without its newline, in a buffer kept across calls (a pipe may split a
 * line or bring two); NULL at EOF. */
static char *next_line(void) {
  static char buf[4200];
  static size_t len, used;
  if (used) { /* drop the line handed out last time */
    len -= used;
    memmove(buf, buf + used, len);
    used = 0;
  }
  for (;;) {
    char *nl = memchr(buf, '\n', len);
    if (nl) {
      *nl = 0;
      used = (size_t)(nl + 1 - buf);
      return buf;
    }
    if (len == sizeof buf - 1) { errno = E2BIG; fail("request"); }
    ssize_t n = read(0, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    len += (size_t)n;
  }
}

/* "unbind PATH": every network namespace mounted on PATH goes (a name re-pointed stacks one mount
 * on another). Only nsfs mounts: the device of our own namespace file is nsfs's. */
static void unbind(const char *path) {
  struct stat own, at;
  if (stat("/proc/self/ns/net", &own) < 0) fail("/proc/self/ns/net");
  while (stat(path, &at) == 0 && at.st_dev == own.st_dev)
    if (umount2(path, MNT_DETACH) < 0) fail(path);
  dprintf(1, "unbound\n");
}

/* "ADDR/PREFIX" (cut at the slash) and GW → eth0 (netconf.h). */
static void configure(int fd, char *cidr, const char *gw) {
  char *slash = strchr(cidr, '/');
  if (!slash) { errno = EINVAL; fail(cidr); }
  *slash = 0;
  char *end;
  long prefix = strtol(slash + 1, &end, 10);
  if (*end || prefix < 0 || prefix > 32) { errno = EINVAL; fail("prefix"); }
  configure_eth0(fd, cidr, (int)prefix, gw);
}

/* "bind PATH" lines until EOF: our own namespace (so it cannot be anybody else's) on each PATH. */
static void bind_requests(void) {
  for (char *line; (line = next_line());) {
    if (strncmp(line, "bind /", 6)) { errno = EINVAL; fail("request"); }
    if (nbound < MAX_BOUND) { /* recorded before the mount: a SIGTERM in between finds it */
      strcpy(bound[nbound], line + 5);
      nbound = nbound + 1;
    }
    if (mount("/proc/self/ns/net", line + 5, NULL, MS_BIND, NULL) < 0) fail(line + 5);
    dprintf(1, "bound\n");
  }
}

int main(int argc, char **argv) {
  int new_namespaces = 0, ipc_only = 0, opt;
  while ((opt = getopt(argc, argv, "vni")) != -1) {
    switch (opt) {
    case 'v': puts(VERSION); return 0;
    case 'n': new_namespaces = 1; break;
    case 'i': ipc_only = 1; break;
    default: fprintf(stderr, "usage: pause [-v] [-n | -i]\n"); return 2;
    }
  }
  struct sigaction term = {.sa_handler = on_term}, chld = {.sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  sigaction(SIGTERM, &term, NULL);
  sigaction(SIGINT, &term, NULL);
  sigaction(SIGCHLD, &chld, NULL);

  if (ipc_only) {
    /* As containerd's sandbox with NamespaceMode NODE: network and UTS are the node's, so only
     * IPC is the pod's own; nothing to configure. */
    if (unshare(CLONE_NEWIPC) < 0) fail("unshare");
    dprintf(1, "ns\n");
    int null = open("/dev/null", O_RDWR);
    if (null < 0) fail("/dev/null");
    dup2(null, 0); dup2(null, 1);
    if (null > 1) close(null);
  } else if (new_namespaces) {
    if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0) fail("unshare");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    set_up(fd, "lo");
    dprintf(1, "ns\n");
    char *line, hostname[65], cidr[64], gw[64], mac[32];
    while ((line = next_line()) && !strncmp(line, "unbind /", 8)) unbind(line + 7);
    if (!line) { errno = EPIPE; fail("waiting for the network config"); }
    if (sscanf(line, "%64s %63s %63s %31s", hostname, cidr, gw, mac) != 4) { errno = EINVAL; fail("config line"); }
    if (sethostname(hostname, strlen(hostname)) < 0) fail("sethostname");
    set_mac(fd, mac);
    configure(fd, cidr, gw);
    close(fd);
    dprintf(1, "ready\n");
    bind_requests();
    /* Hand the pipes back: the daemon watches us by our exit, not by our stdio. */
    int null = open("/dev/null", O_RDWR);
    if (null < 0) fail("/dev/null");
    dup2(null, 0); dup2(null, 1);
    if (null > 1) close(null);
  }
  for (;;) pause();
}

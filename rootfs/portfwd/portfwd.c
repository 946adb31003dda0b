/* minipod portfwd: one connection of `minipod port-forward`, joined to a port inside a pod.
 *
 *   portfwd NETNS PORT
 *
 * Joins the network namespace NETNS (a path: /proc/PID/ns/net of the pod's holder), connects to
 * 127.0.0.1:PORT there (then [::1]:PORT if that is refused), as containerd's portForward does
 * (it enters the sandbox's netns and dials localhost), so a server bound to the pod's loopback is
 * reachable. Then relays stdin to the connection and the connection to stdout: the daemon pipes
 * the client's accepted socket to us. The end of stdin is a half-close (shutdown SHUT_WR) of the
 * pod side; the pod side's end closes stdout. Exits 0 once both directions have ended, 1 with one
 * line on stderr if it cannot connect (or a relay fails), 2 on a usage error. Node cannot
 * setns(2) in one thread only, hence a process per connection. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int dial(int family, int port) {
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&ss, len) == 0) return fd;
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

/* Copy what one read gives; 0 at the end of input, -1 on an error. */
static int pump(int from, int to) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    off += w;
  }
  return n > 0;
}

int main(int argc, char **argv) {
  char *end;
  long port = argc == 3 ? strtol(argv[2], &end, 10) : 0;
  if (argc != 3 || *end || port < 1 || port > 65535) {
    fprintf(stderr, "usage: portfwd NETNS PORT (1-65535)\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN); /* a peer gone is a write error, handled below */
  /* A daemon that dies takes its forwarded connections along, as it takes its listeners. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int ns = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
    fprintf(stderr, "cannot enter the pod's network namespace %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  close(ns);
  int sock = dial(AF_INET, port);
  if (sock < 0 && errno == ECONNREFUSED) sock = dial(AF_INET6, port);
  if (sock < 0) {
    fprintf(stderr, "failed to connect to localhost:%ld inside the pod: %s\n", port, strerror(errno));
    return 1;
  }
  int in_open = 1, out_open = 1; /* stdin → sock, sock → stdout */
  while (in_open || out_open) {
    struct pollfd p[2] = {{in_open ? 0 : -1, POLLIN, 0}, {out_open ? sock : -1, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[0].revents) {
      int r = pump(0, sock);
      if (r < 0) return 1;
      if (r == 0) {
        in_open = 0;
        shutdown(sock, SHUT_WR);
      }
    }
    if (p[1].revents) {
      int r = pump(sock, 1);
      if (r < 0) return 1;
      if (r == 0) {
        out_open = 0;
        close(1);
      }
    }
  }
  return 0;
}

/* Floor C (issue 13): the least work that makes a pod sandbox as minipod makes one, timed in C.
 * A holder forked here unshares its net/UTS/IPC namespaces, brings lo up and says "ns"; the host
 * side makes the veth with its peer directly in the holder's namespace through one long-lived
 * `ip -force -batch -` (a pipe write, a marker line to know it is done); the holder then names
 * itself and configures eth0 (the pause's ioctls: its MAC, address, up, route) and says "ready". No Node, no records, no
 * cgroups: what is left of minipod's time over this is its own.
 *
 *   floor BRIDGE N [CNI_PATH]   run in the bench's node namespace; prints one "KIND MS" line per sample:
 *     create    request → sandbox wired (N times, back to back)
 *     recover   SIGKILL of a holder → its replacement wired, the old veth still going (N, 100 ms apart)
 *     kill      SIGKILL → holder reaped;  vethgone  SIGKILL → the kernel removed its host veth
 *     cni-add   with CNI_PATH: the same holder (no self-configuration) + the bridge plugin's ADD
 *     cni-del   its DEL (the holder is killed after it)
 * BRIDGE (198.18.2.1/24) is made at start and deleted at the end; the holders and ip die with
 * this process (PR_SET_PDEATHSIG) should it be killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../rootfs/pause/netconf.h" /* set_up, set_mac, configure_eth0: the holder's own side, as the pause does it */

static const char *bridge;
static FILE *ip_in, *ip_err;
static int ip_line;

static void fail(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct holder {
  pid_t pid;
  int to, from; /* its stdin and stdout, our ends */
};

static void expect(int fd, const char *word) {
  char buf[32];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n <= 0) fail("holder: no answer");
  buf[n] = 0;
  if (strcmp(buf, word)) { errno = EPROTO; fail(buf); }
}

/* Fork a holder; returns once its namespaces exist. configure: wait for "IP GW" and set up eth0. */
static struct holder start_holder(int configure) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) fail("pipe");
  fflush(stdout); /* a child that exits must not print our samples again */
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0) fail("unshare");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    set_up(fd, "lo");
    if (write(out[1], "ns\n", 3) != 3) fail("write");
    if (configure) {
      char line[128] = {0}, ip[64], gw[64], mac[32];
      if (read(in[0], line, sizeof line - 1) <= 0) fail("read config");
      if (sscanf(line, "%63s %63s %31s", ip, gw, mac) != 3) { errno = EINVAL; fail("config"); }
      if (sethostname("floor", 5) < 0) fail("sethostname");
      set_mac(fd, mac);
      configure_eth0(fd, ip, 24, gw);
      if (write(out[1], "ready\n", 6) != 6) fail("write");
    }
    for (;;) pause();
  }
  close(in[0]);
  close(out[1]);
  struct holder h = {pid, in[1], out[0]};
  expect(h.from, "ns\n");
  return h;
}

static void kill_holder(struct holder *h) {
  kill(h->pid, SIGKILL);
  waitpid(h->pid, NULL, 0);
  close(h->to);
  close(h->from);
}

static void start_ip(void) {
  int in[2], err[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) fail("pipe");
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(in[0], 0);
    dup2(err[1], 2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execlp("ip", "ip", "-force", "-batch", "-", (char *)NULL);
    fail("exec ip");
  }
  close(in[0]);
  close(err[1]);
  ip_in = fdopen(in[1], "w");
  ip_err = fdopen(err[0], "r");
}

/* Lines to the long-lived ip, then a marker that always fails: its "Command failed" ends the request
 * (minipod's lib/os/ip-batch.ts does the same). Any earlier failure is fatal. */
static void ip_run(const char *lines, int count) {
  fprintf(ip_in, "%slink show dev floor-batch-marker\n", lines);
  fflush(ip_in);
  ip_line += count + 1;
  char buf[512];
  while (fgets(buf, sizeof buf, ip_err)) {
    int n;
    if (sscanf(buf, "Command failed -:%d", &n) != 1) continue;
    if (n == ip_line) return;
    fprintf(stderr, "floor: ip -batch line %d failed (%s)\n", n, lines);
    exit(1);
  }
  errno = EPIPE;
  fail("ip -batch exited");
}

/* A sandbox as minipod makes one: holder (already started, or started here), veth, eth0. */
static struct holder wired_sandbox(int veth) {
  struct holder h = start_holder(1);
  char lines[512];
  snprintf(lines, sizeof lines,
           "link add flr%d master %s up type veth peer name eth0 netns %d\n"
           "link set flr%d type bridge_slave hairpin on\n",
           veth, bridge, h.pid, veth);
  ip_run(lines, 2);
  static const char config[] = "198.18.2.2 198.18.2.1 02:42:c6:12:02:02\n";
  if (write(h.to, config, sizeof config - 1) != (ssize_t)(sizeof config - 1)) fail("write config");
  expect(h.from, "ready\n");
  return h;
}

/* Run a CNI plugin as a runtime does (CNI_* environment, config on stdin); ms it took, exit on failure. */
static double cni(const char *path, const char *command, int id, pid_t netns_pid) {
  static const char config[] = "{\"cniVersion\":\"0.4.0\",\"name\":\"minipod-floor\",\"type\":\"bridge\",\"bridge\":\"cnifloor0\","
                               "\"isGateway\":true,\"ipMasq\":false,\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"198.18.3.2/24\",\"gateway\":\"198.18.3.1\"}]}}";
  char env[6][160], plugin[256];
  snprintf(env[0], sizeof env[0], "CNI_COMMAND=%s", command);
  snprintf(env[1], sizeof env[1], "CNI_CONTAINERID=floor-cni-%d", id);
  snprintf(env[2], sizeof env[2], "CNI_NETNS=/proc/%d/ns/net", netns_pid);
  snprintf(env[3], sizeof env[3], "CNI_IFNAME=eth0");
  snprintf(env[4], sizeof env[4], "CNI_PATH=%s", path);
  snprintf(env[5], sizeof env[5], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  char *envp[] = {env[0], env[1], env[2], env[3], env[4], env[5], NULL};
  snprintf(plugin, sizeof plugin, "%s/bridge", path);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) fail("pipe");
  fflush(stdout);
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(in[0], 0);
    dup2(out[1], 1);
    execve(plugin, (char *[]){plugin, NULL}, envp);
    fail(plugin);
  }
  close(in[0]);
  close(out[1]);
  if (write(in[1], config, sizeof config - 1) != (ssize_t)(sizeof config - 1)) fail("write config");
  close(in[1]);
  char result[8192];
  size_t len = 0;
  ssize_t n;
  while ((n = read(out[0], result + len, sizeof result - 1 - len)) > 0) len += (size_t)n;
  result[len] = 0;
  close(out[0]);
  int status;
  waitpid(pid, &status, 0);
  double ms = now_ms() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status)) {
    fprintf(stderr, "floor: CNI bridge %s exited %d: %s\n", command, WEXITSTATUS(status), result);
    exit(1);
  }
  return ms;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor BRIDGE N [CNI_PATH]\n");
    return 2;
  }
  bridge = argv[1];
  int runs = atoi(argv[2]), veth = 0;
  signal(SIGPIPE, SIG_IGN);
  start_ip();
  char lines[256];
  snprintf(lines, sizeof lines, "link add %s type bridge\naddr add 198.18.2.1/24 dev %s\nlink set %s up\n", bridge, bridge, bridge);
  ip_run(lines, 3);

  /* As the bench times minipod: creations back to back (one unmeasured first: cold caches), then
   * recoveries 100 ms apart (the kernel's teardown of the last one done), then removals. */
  struct holder *h = calloc((size_t)runs + 1, sizeof *h);
  int *names = calloc((size_t)runs + 1, sizeof *names);
  if (!h || !names) fail("calloc");
  for (int i = 0; i <= runs; i++) {
    double t0 = now_ms();
    names[i] = veth;
    h[i] = wired_sandbox(veth++);
    if (i) printf("create %.3f\n", now_ms() - t0);
  }
  for (int i = 1; i <= runs; i++) {
    usleep(100000);
    double t0 = now_ms();
    kill(h[i].pid, SIGKILL);
    waitpid(h[i].pid, NULL, 0);
    struct holder next = wired_sandbox(veth);
    printf("recover %.3f\n", now_ms() - t0);
    close(h[i].to);
    close(h[i].from);
    h[i] = next;
    names[i] = veth++;
  }
  for (int i = 0; i <= runs; i++) {
    char name[IFNAMSIZ];
    snprintf(name, sizeof name, "flr%d", names[i]);
    double t0 = now_ms();
    kill(h[i].pid, SIGKILL);
    waitpid(h[i].pid, NULL, 0);
    double killed = now_ms() - t0;
    while (if_nametoindex(name) && now_ms() - t0 < 5000) usleep(100);
    if (i) printf("kill %.3f\nvethgone %.3f\n", killed, now_ms() - t0);
    close(h[i].to);
    close(h[i].from);
  }

  if (argc > 3) {
    for (int i = 0; i <= runs; i++) {
      double t0 = now_ms();
      struct holder h = start_holder(0);
      double holder = now_ms() - t0;
      double add = cni(argv[3], "ADD", i, h.pid);
      double del = cni(argv[3], "DEL", i, h.pid);
      kill_holder(&h);
      if (i) printf("cni-add %.3f\ncni-del %.3f\n", holder + add, del);
    }
  }

  /* Every veth goes with its namespace; wait for the kernel (bounded) so nothing is left behind. */
  double t0 = now_ms();
  for (int i = 0; i < veth; i++) {
    char name[IFNAMSIZ];
    snprintf(name, sizeof name, "flr%d", i);
    while (if_nametoindex(name) && now_ms() - t0 < 10000) usleep(1000);
  }
  snprintf(lines, sizeof lines, "link del %s\n", bridge);
  ip_run(lines, 1);
  if (argc > 3) ip_run("link del cnifloor0\n", 1);
  fflush(stdout);
  return 0;
}

/* minipod ptyrelay: run a program on a terminal, for `minipod exec -t`.
 *
 *   ptyrelay ROWS COLS PROGRAM [ARGS...]               a pseudo-terminal of our own
 *   ptyrelay ROWS COLS -s SOCKET PIDFILE PROGRAM [ARGS...]   the one PROGRAM's runtime makes
 *
 * Without -s it opens a pty of ROWS x COLS and runs PROGRAM (an absolute path) as the leader of a
 * new session whose controlling terminal is that pty, so the line discipline turns Ctrl-C into a
 * SIGINT to the foreground job, as on any terminal. With -s, PROGRAM is `runc exec --tty
 * --console-socket SOCKET --detach --pid-file PIDFILE ...`: runc makes the pty inside the
 * container (it must: runc makes the process a session leader in the container's PID namespace,
 * so only a terminal runc sets up can be its controlling one) and hands us its master over SOCKET
 * by SCM_RIGHTS, which Node cannot receive. runc takes a console socket only when it detaches, so
 * we are a child subreaper, as containerd's shim is: the process, orphaned when runc exits, becomes
 * our child and its exit status ours. PROGRAM's stdout and stderr are ours (runc's errors).
 *
 * stdin carries minipod's exec frames ([type u8][length u32 BE][data], lib/api/frames.ts): 0 is
 * input for the terminal, 6 a window size (rows u16 BE, cols u16 BE); its end hangs the terminal
 * up (exit 129). Everything the terminal writes goes to stdout. Exits with PROGRAM's status (128+N if killed by signal N), once the
 * terminal is drained; 125 if it cannot set up the terminal. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

enum { FRAME_STDIN = 0, FRAME_RESIZE = 6, MAX_FRAME = 1024 * 1024 };

static int sigpipe_fds[2];

/* Whom we wait for: PROGRAM, then (detached) the process whose pid runc wrote to PIDFILE. */
static pid_t waiting_for;
static const char *pid_file;
static int done, status;
/* Orphans reaped before PIDFILE was read (the process may exit before we learn its pid). */
static pid_t reaped_pid[64];
static int reaped_status[64], reaped_n;

static void reap(void) {
  int st;
  pid_t w;
  while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
    if (w != waiting_for) {
      reaped_pid[reaped_n % 64] = w, reaped_status[reaped_n % 64] = st, reaped_n++;
      continue;
    }
    if (!pid_file || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      done = 1, status = st; /* PROGRAM's exit, or runc failed before it could detach */
      continue;
    }
    char text[32] = {0};
    int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, text, sizeof text - 1) <= 0) {
      fprintf(stderr, "ptyrelay: runc wrote no pid to %s\n", pid_file);
      done = 1, status = 125 << 8;
      continue;
    }
    close(fd);
    waiting_for = (pid_t)atoi(text);
    pid_file = NULL;
    for (int i = 0; i < reaped_n && i < 64; i++)
      if (reaped_pid[i] == waiting_for) done = 1, status = reaped_status[i];
  }
}

static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  (void)!write(sigpipe_fds[1], "c", 1);
  errno = saved;
}

static int exit_code(void) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void die(const char *what) {
  fprintf(stderr, "ptyrelay: %s: %s\n", what, strerror(errno));
  exit(125);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void set_size(int master, unsigned rows, unsigned cols) {
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  ioctl(master, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the foreground job */
}

/* A pty of our own; the child becomes the leader of a session whose terminal it is. */
static int spawn_on_own_pty(char **argv, int *master_out) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) die("cannot open a pseudo-terminal");
  char *slave_name = ptsname(master);
  if (!slave_name) die("ptsname");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    setsid();
    int slave = open(slave_name, O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) die("cannot take the terminal");
    dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
    if (slave > 2) close(slave);
    signal(SIGCHLD, SIG_DFL), signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive execve */
    execv(argv[0], argv);
    fprintf(stderr, "ptyrelay: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  *master_out = master;
  waiting_for = pid;
  return 0;
}

/* PROGRAM (runc exec --tty --console-socket SOCKET) sends the pty it made over SOCKET. */
static int spawn_with_console_socket(char **argv, const char *socket_path, int *master_out) {
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof addr.sun_path) {
    fprintf(stderr, "ptyrelay: socket path too long\n");
    exit(125);
  }
  strcpy(addr.sun_path, socket_path);
  unlink(socket_path);
  if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(srv, 1) < 0) die("cannot listen on the console socket");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    signal(SIGCHLD, SIG_DFL), signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive execve */
    execv(argv[0], argv);
    fprintf(stderr, "ptyrelay: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  waiting_for = pid;
  /* Wait for the runtime's connection, or for it to fail without one. */
  struct pollfd p[2] = {{.fd = srv, .events = POLLIN}, {.fd = sigpipe_fds[0], .events = POLLIN}};
  for (;;) {
    if (poll(p, 2, -1) < 0 && errno != EINTR) die("poll");
    if (p[0].revents) break; /* first: runc may send its terminal and exit at once */
    if (p[1].revents) {
      char c;
      while (read(sigpipe_fds[0], &c, 1) > 0) {}
      reap();
      if (done) {
        unlink(socket_path);
        return -1;
      }
    }
  }
  int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) die("accept");
  /* runc sends the terminal's name as data with the descriptor: the name is not needed. */
  char name[4096];
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0) die("recvmsg");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) {
    fprintf(stderr, "ptyrelay: the runtime sent no terminal\n");
    exit(125);
  }
  memcpy(master_out, CMSG_DATA(c), sizeof(int));
  close(conn);
  close(srv);
  unlink(socket_path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: ptyrelay ROWS COLS [-s SOCKET PIDFILE] /ABSOLUTE/PROGRAM [ARGS...]\n");
    return 125;
  }
  unsigned rows = (unsigned)atoi(argv[1]), cols = (unsigned)atoi(argv[2]);
  const char *socket_path = NULL;
  int first = 3;
  if (!strcmp(argv[3], "-s") && argc > 6) socket_path = argv[4], pid_file = argv[5], first = 6;
  if (argv[first][0] != '/') {
    fprintf(stderr, "ptyrelay: PROGRAM must be an absolute path\n");
    return 125;
  }
  if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe");
  struct sigaction sa = {.sa_handler = on_child, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (socket_path && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("cannot become a subreaper");
  int master = -1;
  if ((socket_path ? spawn_with_console_socket(argv + first, socket_path, &master) : spawn_on_own_pty(argv + first, &master)) < 0) return exit_code();
  set_size(master, rows, cols);

  static char in[5 + MAX_FRAME];
  size_t have = 0;
  for (;;) {
    struct pollfd p[3] = {{.fd = 0, .events = POLLIN}, {.fd = master, .events = POLLIN}, {.fd = sigpipe_fds[0], .events = POLLIN}};
    /* Once the program has exited, what it wrote is read until the terminal is quiet: a job it
     * left in the background may hold it open forever. */
    int n = poll(p, 3, done ? 200 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("poll");
    if (n == 0) break;
    if (p[2].revents) {
      char c;
      while (read(sigpipe_fds[0], &c, 1) > 0) {}
      reap();
    }
    if (p[1].revents) {
      char buf[65536];
      ssize_t r = read(master, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
        /* again */
      } else if (r <= 0) {
        if (done) break;
        close(master); /* every writer is gone (EIO): wait for the program's exit only */
        master = -1;
      } else if (r > 0 && write_all(1, buf, (size_t)r) < 0) {
        break; /* nobody reads us any more */
      }
    }
    if (p[0].revents) {
      ssize_t r = read(0, in + have, sizeof in - have);
      if (r <= 0) {
        /* The daemon is gone (it never ends a terminal's input otherwise; a client that leaves
         * gets us SIGKILLed): hang the terminal up, as a dropped ssh connection does, so the
         * shell and its foreground job get SIGHUP instead of waiting for keys forever. */
        close(master);
        return 128 + SIGHUP;
      } else {
        have += (size_t)r;
        size_t off = 0;
        while (have - off >= 5) {
          uint8_t type = (uint8_t)in[off];
          uint32_t len = ((uint32_t)(uint8_t)in[off + 1] << 24) | ((uint32_t)(uint8_t)in[off + 2] << 16) | ((uint32_t)(uint8_t)in[off + 3] << 8) | (uint8_t)in[off + 4];
          if (len > MAX_FRAME) {
            fprintf(stderr, "ptyrelay: frame of %u bytes\n", len);
            return 125;
          }
          if (have - off < 5 + len) break;
          const char *data = in + off + 5;
          if (type == FRAME_STDIN && master >= 0) write_all(master, data, len);
          else if (type == FRAME_RESIZE && len == 4 && master >= 0) set_size(master, ((unsigned)(uint8_t)data[0] << 8) | (uint8_t)data[1], ((unsigned)(uint8_t)data[2] << 8) | (uint8_t)data[3]);
          off += 5 + len;
        }
        memmove(in, in + off, have - off);
        have -= off;
      }
    }
    if (master < 0) break;
  }
  /* Nothing left to relay: wait for the exit. */
  while (!done) {
    struct pollfd p = {.fd = sigpipe_fds[0], .events = POLLIN};
    char c;
    poll(&p, 1, -1);
    while (read(sigpipe_fds[0], &c, 1) > 0) {}
    reap();
  }
  return exit_code();
}

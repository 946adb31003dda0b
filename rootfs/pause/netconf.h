/* A holder's own side of the pod network, with ioctls instead of netlink: four calls, no message
 * parsing, same result as `ip addr/route add`. Used by the pause (pause.c) and by the benchmark's
 * floor C (bench/floor.c), which must do the same work to be its floor. Static functions: the
 * includer defines `static void fail(const char *what)` (report what and errno, then exit). */
#ifndef MINIPOD_NETCONF_H
#define MINIPOD_NETCONF_H
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void fail(const char *what);

static void set_up(int fd, const char *ifname) {
  struct ifreq ifr = {0};
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) fail(ifname);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) fail(ifname);
}

static void set_sin(struct sockaddr *sa, const char *ip) {
  struct sockaddr_in *sin = (struct sockaddr_in *)sa;
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1) { errno = EINVAL; fail(ip); }
}

/* eth0's MAC, "0a:58:0a:58:00:02", set while it is still down: the daemon makes the veth before it
 * knows the pod's address (the lease is taken meanwhile), so the peer is born with a random one. */
static void set_mac(int fd, const char *mac) {
  struct ifreq ifr = {0};
  unsigned char *b = (unsigned char *)ifr.ifr_hwaddr.sa_data;
  char end;
  strcpy(ifr.ifr_name, "eth0");
  if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6) { errno = EINVAL; fail(mac); }
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) fail("mac eth0");
}

/* eth0 (already in our namespace): address ip/prefix, up, default route via gw. */
static void configure_eth0(int fd, const char *ip, int prefix, const char *gw) {
  struct ifreq ifr = {0};
  strcpy(ifr.ifr_name, "eth0");
  set_sin(&ifr.ifr_addr, ip);
  if (ioctl(fd, SIOCSIFADDR, &ifr) < 0) fail("address eth0");
  struct sockaddr_in *mask = (struct sockaddr_in *)&ifr.ifr_netmask;
  mask->sin_family = AF_INET;
  mask->sin_addr.s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0; /* prefix 0: no shift by 32 */
  if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0) fail("netmask eth0");
  set_up(fd, "eth0");
  struct rtentry rt = {0};
  set_sin(&rt.rt_dst, "0.0.0.0");
  set_sin(&rt.rt_genmask, "0.0.0.0");
  set_sin(&rt.rt_gateway, gw);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  rt.rt_dev = "eth0";
  if (ioctl(fd, SIOCADDRT, &rt) < 0) fail("default route");
}
#endif

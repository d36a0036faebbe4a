// The capture benchmark's generator: minimum-size Ethernet/IPv4/UDP frames (60 bytes) sent as
// fast as one CPU can, with sendmmsg(2) on an AF_PACKET socket bound to a veth end.
// Usage: gen <ifname> <dst-mac aa:bb:..> <seconds> <udp-port>
// Frames rotate over 256 source ports (256 flows) and carry a sequence number. Prints one
// JSON line: {"sent": N, "seconds": S}.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define FRAME 60

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint16_t csum(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: gen ifname dst-mac seconds port\n");
    return 2;
  }
  unsigned mac[6];
  if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6) {
    fprintf(stderr, "gen: bad MAC %s\n", argv[2]);
    return 2;
  }
  double seconds = atof(argv[3]);
  int port = atoi(argv[4]);
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  struct sockaddr_ll sll = {0};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(argv[1]);
  if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
    perror("bind");
    return 1;
  }
  static uint8_t frames[BATCH][FRAME];
  static struct iovec iov[BATCH];
  static struct mmsghdr msgs[BATCH];
  for (int i = 0; i < BATCH; i++) {
    uint8_t *f = frames[i];
    for (int k = 0; k < 6; k++) f[k] = (uint8_t)mac[k];
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08, f[13] = 0x00;  // IPv4
    uint8_t *ip = f + 14;
    ip[0] = 0x45, ip[2] = 0, ip[3] = 46;  // total length 20 + 8 + 18
    ip[6] = 0x40, ip[8] = 64, ip[9] = 17;
    memcpy(ip + 12, "\x0a\x63\x00\x01\x0a\x63\x00\x02", 8);  // 10.99.0.1 > 10.99.0.2
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)((40000 + i) >> 8), udp[1] = (uint8_t)(40000 + i);
    udp[2] = (uint8_t)(port >> 8), udp[3] = (uint8_t)port;
    udp[5] = 26;  // length 8 + 18, checksum 0 (none)
    iov[i].iov_base = f;
    iov[i].iov_len = FRAME;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t sent = 0, seq = 0;
  double t0 = now(), end = t0 + seconds, t = t0;
  while (t < end) {
    for (int i = 0; i < BATCH; i++) memcpy(frames[i] + 42, &seq, sizeof(seq)), seq++;
    int r = sendmmsg(fd, msgs, BATCH, 0);
    if (r > 0) sent += (uint64_t)r;
    t = now();
  }
  printf("{\"sent\": %llu, \"seconds\": %.4f}\n", (unsigned long long)sent, t - t0);
  return 0;
}

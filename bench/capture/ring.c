// The capture benchmark's limit: a C receiver on a TPACKET_V3 ring, what libpcap and
// bsdsock's RxRing do, without a runtime. Same filter, ring geometry and per-frame work as
// bench/capture/recv.js (read the header, touch one byte of the frame).
// Usage: ring <ifname> <udp-port> <block_size> <block_nr> <idle_ms>
// Says "ready" on stderr once the ring is mapped and bound, stops <idle_ms> after the last
// frame (or after 60 s), prints {"frames", "drops", "cpu", "wall"} (cpu: user + system s).
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: ring ifname port block_size block_nr idle_ms\n");
    return 2;
  }
  unsigned port = (unsigned)atoi(argv[2]);
  unsigned bsize = (unsigned)atoi(argv[3]), bnr = (unsigned)atoi(argv[4]);
  int idle = atoi(argv[5]);
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) return perror("socket"), 1;
  struct sock_filter insns[] = {
      {0x28, 0, 0, 12}, {0x15, 0, 6, 0x0800}, {0x30, 0, 0, 23}, {0x15, 0, 4, 17},
      {0xb1, 0, 0, 14}, {0x48, 0, 0, 16},     {0x15, 0, 1, port}, {0x06, 0, 0, 0x40000},
      {0x06, 0, 0, 0},
  };
  struct sock_fprog prog = {sizeof(insns) / sizeof(insns[0]), insns};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) return perror("filter"), 1;
  int v = TPACKET_V3;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0) return perror("version"), 1;
  struct tpacket_req3 req = {0};
  req.tp_block_size = bsize;
  req.tp_block_nr = bnr;
  req.tp_frame_size = 2048;
  req.tp_frame_nr = bsize / 2048 * bnr;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0) return perror("ring"), 1;
  uint8_t *map = mmap(NULL, (size_t)bsize * bnr, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return perror("mmap"), 1;
  struct sockaddr_ll sll = {0};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)if_nametoindex(argv[1]);
  if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) return perror("bind"), 1;
  struct tpacket_stats_v3 st;
  socklen_t sl = sizeof(st);
  getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);  // resets the counters
  fprintf(stderr, "ready\n");
  double c0 = cpu(), t0 = now(), last = t0;
  uint64_t frames = 0, touched = 0;
  unsigned cur = 0;
  for (;;) {
    struct tpacket_block_desc *b = (struct tpacket_block_desc *)(map + (size_t)cur * bsize);
    if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
      struct pollfd p = {fd, POLLIN | POLLERR, 0};
      int r = poll(&p, 1, idle);
      double t = now();
      if (r == 0 && (frames > 0 || t - t0 > 60)) break;
      if (t - t0 > 60) break;
      continue;
    }
    uint32_t n = b->hdr.bh1.num_pkts;
    struct tpacket3_hdr *f = (struct tpacket3_hdr *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
    for (uint32_t i = 0; i < n; i++) {
      touched += f->tp_snaplen + ((uint8_t *)f)[f->tp_mac + 12];
      f = (struct tpacket3_hdr *)((uint8_t *)f + f->tp_next_offset);
    }
    frames += n;
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    cur = (cur + 1) % bnr;
    last = now();
  }
  double c1 = cpu();
  sl = sizeof(st);
  getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
  printf("{\"frames\": %llu, \"drops\": %u, \"cpu\": %.4f, \"wall\": %.4f, \"touched\": %llu}\n",
         (unsigned long long)frames, st.tp_drops, c1 - c0, last - t0, (unsigned long long)touched);
  return 0;
}

// The C reference of the bsdsock benchmark suite: the same syscalls the other
// implementations make, with nothing on top. Compiled by bench/run.js with the system
// compiler into bench/out/bench.
//
//   bench <scenario> main [--key value ...]   runs one measurement, spawns and reaps its
//                                             peer, prints one JSON line on stdout
//   bench <scenario> peer --port P [...]      the other end (started by main)
//   bench idle-conns client --port P ...      the client of idle-conns, shared by every
//                                             implementation's server (BENCH_IDLE_CLIENT)
//   bench echo-many client --port P --conns N the client of echo-many-*, also shared
//   bench <scenario> main --variant V         another server for the same peer (tcp-pingpong
//                                             epoll; tcp-accept epoll, uring; echo-many uring:
//                                             see "io_uring servers" below)
//
// Every loop is bounded in count and in time (--seconds). The peer inherits the CPU
// affinity of main (bench/run.js pins main with taskset); BENCH_PEER_CPU moves it.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// ---- options -------------------------------------------------------------------------

typedef struct {
  const char *scenario;
  const char *role;
  long long count;   // operations (round trips, datagrams, connections)
  long long bytes;   // tcp-bulk total
  long long chunk;   // tcp-bulk write size
  long long size;    // message / datagram size
  long long warmup;  // untimed operations first
  long long batch;   // udp-batched: messages per call; idle-conns: connections per sync
  long long conns;   // http-hello: wrk connections; echo-many: client connections
  long long rcvbuf;  // udp: SO_RCVBUF of the receiver
  double seconds;    // time bound of the timed loop
  double duration;   // http-hello: wrk -d; echo-many: the measured window
  double settle;     // echo-many: seconds of load before the window opens
  int port;
  const char *variant;  // tcp-pingpong: "epoll" = both ends event-driven (the floor of an event loop)
} opts_t;

static opts_t O = {.count = 100000,
                   .bytes = 1LL << 31,
                   .chunk = 65536,
                   .size = 64,
                   .warmup = 0,
                   .batch = 32,
                   .conns = 16,
                   .rcvbuf = 4 << 20,
                   .seconds = 30,
                   .duration = 3,
                   .settle = 1,
                   .port = 0,
                   .variant = ""};

static char self_exe[4096];

static void die(const char *what) {
  fprintf(stderr, "bench.c [%s %s]: %s: %s\n", O.scenario ? O.scenario : "?", O.role ? O.role : "?", what,
          strerror(errno));
  exit(2);
}

static void dief(const char *msg) {
  fprintf(stderr, "bench.c [%s %s]: %s\n", O.scenario ? O.scenario : "?", O.role ? O.role : "?", msg);
  exit(2);
}

static void parse_args(int argc, char **argv) {
  if (argc < 3) dief("usage: bench <scenario> <main|peer|client> [--key value ...]");
  O.scenario = argv[1];
  O.role = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    const char *k = argv[i];
    const char *v = argv[i + 1];
    if (strncmp(k, "--", 2) != 0) dief("bad argument");
    k += 2;
    if (!strcmp(k, "count"))
      O.count = atoll(v);
    else if (!strcmp(k, "bytes"))
      O.bytes = atoll(v);
    else if (!strcmp(k, "chunk"))
      O.chunk = atoll(v);
    else if (!strcmp(k, "size"))
      O.size = atoll(v);
    else if (!strcmp(k, "warmup"))
      O.warmup = atoll(v);
    else if (!strcmp(k, "batch"))
      O.batch = atoll(v);
    else if (!strcmp(k, "conns"))
      O.conns = atoll(v);
    else if (!strcmp(k, "rcvbuf"))
      O.rcvbuf = atoll(v);
    else if (!strcmp(k, "seconds"))
      O.seconds = atof(v);
    else if (!strcmp(k, "duration"))
      O.duration = atof(v);
    else if (!strcmp(k, "settle"))
      O.settle = atof(v);
    else if (!strcmp(k, "port"))
      O.port = atoi(v);
    else if (!strcmp(k, "variant"))
      O.variant = v;
    // unknown keys are ignored: the runner passes the same set to every implementation
  }
}

// ---- helpers -------------------------------------------------------------------------

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long vmrss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int bound_port(int fd) {
  struct sockaddr_in a;
  socklen_t l = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &l) < 0) die("getsockname");
  return ntohs(a.sin_port);
}

static int tcp_listen(int backlog, int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = loopback(0);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(fd, backlog) < 0) die("listen");
  *port = bound_port(fd);
  return fd;
}

static int tcp_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = loopback(port);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  return fd;
}

static void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt TCP_NODELAY");
}

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("send");
    }
    p += n;
    len -= (size_t)n;
  }
}

// Reads exactly len bytes; returns 0 on a clean EOF before the first byte.
static int read_exact(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t got = 0;
  while (got < len) {
    ssize_t n = recv(fd, p + got, len - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (n == 0) {
      if (got == 0) return 0;
      dief("EOF inside a message");
    }
    got += (size_t)n;
  }
  return 1;
}

// Starts `argv` (argv[0] = path) as the peer. BENCH_PEER_CPU pins it elsewhere;
// otherwise it inherits this process's affinity.
static pid_t spawn(char *const argv[], int stdout_fd) {
  const char *cpu = getenv("BENCH_PEER_CPU");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (cpu && *cpu) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(atoi(cpu), &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    if (stdout_fd >= 0)
      dup2(stdout_fd, 1);
    else
      dup2(2, 1);  // a peer's chatter must not mix with main's JSON line
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

static pid_t spawn_self_peer(const char *extra_k, const char *extra_v) {
  char port[32], count[32], size[32], bytes[32], chunk[32], batch[32], seconds[32], warm[32];
  snprintf(port, sizeof port, "%d", O.port);
  snprintf(count, sizeof count, "%lld", O.count);
  snprintf(size, sizeof size, "%lld", O.size);
  snprintf(bytes, sizeof bytes, "%lld", O.bytes);
  snprintf(chunk, sizeof chunk, "%lld", O.chunk);
  snprintf(batch, sizeof batch, "%lld", O.batch);
  snprintf(seconds, sizeof seconds, "%g", O.seconds);
  snprintf(warm, sizeof warm, "%lld", O.warmup);
  char *argv[] = {self_exe,
                  (char *)O.scenario,
                  "peer",
                  "--port",
                  port,
                  "--count",
                  count,
                  "--size",
                  size,
                  "--bytes",
                  bytes,
                  "--chunk",
                  chunk,
                  "--batch",
                  batch,
                  "--seconds",
                  seconds,
                  "--warmup",
                  warm,
                  (char *)extra_k,
                  (char *)extra_v,
                  NULL};
  return spawn(argv, -1);
}

// Waits for the peer; kills it if it has not exited within `grace` seconds.
static int reap(pid_t pid, double grace) {
  double end = now() + grace;
  int st = 0;
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -1;
    if (now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return -1;
    }
    usleep(2000);
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void emit(double value, const char *unit, long long ops, double secs, const char *extra) {
  printf(
      "{\"impl\":\"c\",\"scenario\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"ops\":%lld,\"seconds\":%.6f%s%s}"
      "\n",
      O.scenario, value, unit, ops, secs, extra && *extra ? "," : "", extra ? extra : "");
  fflush(stdout);
}

// ---- tcp-pingpong --------------------------------------------------------------------

// --variant epoll: each wait is epoll_wait on a non-blocking fd registered once (level
// triggered), as an event loop does: epoll_wait + recv + send per message and side.
static int ep_fd = -1;

static void ep_arm(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  ep_fd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
}

static ssize_t ep_recv(int fd, void *buf, size_t len) {
  for (;;) {
    ssize_t n = recv(fd, buf, len, 0);
    if (n >= 0 || (errno != EAGAIN && errno != EINTR)) return n;
    struct epoll_event ev;
    if (epoll_wait(ep_fd, &ev, 1, -1) < 0 && errno != EINTR) die("epoll_wait");
  }
}

static int epoll_variant(void) {
  return O.variant && !strcmp(O.variant, "epoll");
}

static void pingpong_main(void) {
  int ls = tcp_listen(16, &O.port);
  pid_t peer = spawn_self_peer(epoll_variant() ? "--variant" : NULL, "epoll");
  int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) die("accept");
  close(ls);
  nodelay(c);
  int ep = epoll_variant();
  if (ep) ep_arm(c);
  size_t size = (size_t)O.size;
  char *out = calloc(1, size), *in = malloc(size);
  for (long long i = 0; i < O.warmup; i++) {
    write_all(c, out, size);
    if (ep ? ep_recv(c, in, size) != (ssize_t)size : !read_exact(c, in, size)) dief("peer closed");
  }
  double t0 = now(), t1 = t0;
  long long n = 0;
  while (n < O.count) {
    write_all(c, out, size);
    if (ep ? ep_recv(c, in, size) != (ssize_t)size : !read_exact(c, in, size)) dief("peer closed");
    n++;
    if ((n & 1023) == 0 && now() - t0 > O.seconds) break;
  }
  t1 = now();
  close(c);
  if (reap(peer, 10) != 0) dief("peer failed");
  emit(n / (t1 - t0), "round trips/s", n, t1 - t0, ep ? "\"variant\":\"epoll\"" : NULL);
}

static void pingpong_peer(void) {
  int c = tcp_connect(O.port);
  nodelay(c);
  int ep = epoll_variant();
  if (ep) ep_arm(c);
  size_t size = (size_t)O.size;
  char *buf = malloc(size);
  for (;;) {
    ssize_t n = ep ? ep_recv(c, buf, size) : recv(c, buf, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (n == 0) break;
    write_all(c, buf, (size_t)n);
  }
  close(c);
}

// ---- tcp-bulk ------------------------------------------------------------------------

static void bulk_main(void) {
  int ls = tcp_listen(16, &O.port);
  pid_t peer = spawn_self_peer(NULL, NULL);
  int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) die("accept");
  close(ls);
  size_t chunk = (size_t)O.chunk;
  char *buf = calloc(1, chunk);
  long long sent = 0, writes = 0;
  double t0 = now();
  while (sent < O.bytes) {
    write_all(c, buf, chunk);
    sent += (long long)chunk;
    if ((++writes & 1023) == 0 && now() - t0 > O.seconds) break;
  }
  if (shutdown(c, SHUT_WR) < 0) die("shutdown");
  char ack;
  if (!read_exact(c, &ack, 1)) dief("no ack from the reader");
  double t1 = now();
  close(c);
  if (reap(peer, 10) != 0) dief("peer failed");
  emit(sent / (t1 - t0) / 1e9, "GB/s", writes, t1 - t0, NULL);
}

static void bulk_peer(void) {
  int c = tcp_connect(O.port);
  size_t chunk = (size_t)O.chunk;
  char *buf = malloc(chunk);
  for (;;) {
    ssize_t n = recv(c, buf, chunk, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (n == 0) break;
  }
  write_all(c, "k", 1);
  close(c);
}

// ---- udp-pps / udp-batched ---------------------------------------------------------
//
// main receives: it binds, spawns the sender, learns the sender's address from a 1-byte
// hello, connects to it and answers "go". The sender sends `count` datagrams of `size`
// bytes, then end markers (9 bytes: 0xEE + sent count, little endian) until main acks.
// main counts data datagrams and times first to last.

#define UDP_RBUF 256
#define END_LEN 9

static void udp_rcvbuf(int fd) {
  int v = (int)O.rcvbuf;
  if (v > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v) < 0) die("setsockopt SO_RCVBUF");
}

static void udp_main(int batched) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  udp_rcvbuf(s);
  struct sockaddr_in a = loopback(0);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  O.port = bound_port(s);
  pid_t peer = spawn_self_peer(NULL, NULL);
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // handshake
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  char b[UDP_RBUF];
  ssize_t n = recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
  if (n < 0) die("recvfrom hello");
  if (connect(s, (struct sockaddr *)&from, fl) < 0) die("connect");
  if (send(s, "g", 1, 0) < 0) die("send go");

  long long received = 0, sent = -1;
  double t_first = 0, t_last = 0;
  size_t size = (size_t)O.size;
  int vlen = batched ? (int)O.batch : 1;
  struct mmsghdr *msgs = calloc((size_t)vlen, sizeof *msgs);
  struct iovec *iov = calloc((size_t)vlen, sizeof *iov);
  char *bufs = malloc((size_t)vlen * UDP_RBUF);
  double deadline = now() + O.seconds;
  while (sent < 0) {
    int got;
    if (batched) {
      for (int i = 0; i < vlen; i++) {
        iov[i].iov_base = bufs + (size_t)i * UDP_RBUF;
        iov[i].iov_len = UDP_RBUF;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      got = recvmmsg(s, msgs, (unsigned)vlen, 0, NULL);
    } else {
      n = recv(s, bufs, UDP_RBUF, 0);
      got = n < 0 ? -1 : 1;
      msgs[0].msg_len = (unsigned)n;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;  // 5 s of silence: the sender is gone
      die("recv");
    }
    double t = now();
    for (int i = 0; i < got; i++) {
      unsigned len = msgs[i].msg_len;
      const unsigned char *p = (unsigned char *)bufs + (size_t)i * UDP_RBUF;
      if (len == size) {
        if (received++ == 0) t_first = t;
        t_last = t;
      } else if (len == END_LEN && p[0] == 0xEE) {
        uint64_t v = 0;
        for (int k = 8; k >= 1; k--) v = (v << 8) | p[k];
        sent = (long long)v;
      } else if (len == 1) {
        send(s, "g", 1, 0);  // a repeated hello: the go was lost
      }
    }
    if ((received & 1023) == 0 && t > deadline + 5) break;
  }
  if (sent >= 0) send(s, "a", 1, 0);
  close(s);
  reap(peer, 10);
  if (received < 2) dief("too few datagrams received");
  double secs = t_last - t_first;
  char extra[160];
  snprintf(extra, sizeof extra, "\"sent\":%lld,\"received\":%lld,\"loss\":%.6f", sent, received,
           sent > 0 ? 1.0 - (double)received / (double)sent : -1.0);
  emit((received - 1) / secs, "datagrams/s", received, secs, extra);
}

static void udp_peer(int batched) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  struct sockaddr_in a = loopback(O.port);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  char b[UDP_RBUF];
  struct pollfd p = {.fd = s, .events = POLLIN};
  for (int tries = 0;; tries++) {  // hello until go
    if (tries > 100) dief("no go from the receiver");
    if (send(s, "h", 1, 0) < 0) die("send hello");
    if (poll(&p, 1, 100) > 0 && recv(s, b, sizeof b, 0) == 1) break;
  }
  size_t size = (size_t)O.size;
  char *msg = calloc(1, size);
  long long sent = 0;
  double t0 = now();
  if (batched) {
    int vlen = (int)O.batch;
    struct mmsghdr *msgs = calloc((size_t)vlen, sizeof *msgs);
    struct iovec iov = {.iov_base = msg, .iov_len = size};
    for (int i = 0; i < vlen; i++) {
      msgs[i].msg_hdr.msg_iov = &iov;
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    long long calls = 0;
    while (sent < O.count) {
      long long left = O.count - sent;
      int r = sendmmsg(s, msgs, (unsigned)(left < vlen ? left : vlen), 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        die("sendmmsg");
      }
      sent += r;
      if ((++calls & 255) == 0 && now() - t0 > O.seconds) break;
    }
  } else {
    while (sent < O.count) {
      if (send(s, msg, size, 0) < 0) {
        if (errno == EINTR) continue;
        die("send");
      }
      if ((++sent & 1023) == 0 && now() - t0 > O.seconds) break;
    }
  }
  unsigned char end[END_LEN];
  end[0] = 0xEE;
  uint64_t v = (uint64_t)sent;
  for (int k = 1; k <= 8; k++, v >>= 8) end[k] = (unsigned char)(v & 0xff);
  for (int tries = 0; tries < 500; tries++) {  // end marker until acked (10 s at most)
    send(s, end, sizeof end, 0);
    if (poll(&p, 1, 20) > 0) {
      ssize_t n = recv(s, b, sizeof b, 0);
      if (n == 1 && b[0] == 'a') break;
    }
  }
  close(s);
}

// ---- tcp-accept --------------------------------------------------------------------
//
// main accepts and closes; the peer connects, waits for the EOF, closes: one cycle at a
// time. main times the cycles after the warm-up.

static void accept_main(void) {
  int ls = tcp_listen(128, &O.port);
  pid_t peer = spawn_self_peer(NULL, NULL);
  long long total = O.warmup + O.count, n = 0;
  double t0 = now();
  for (long long i = 0; i < total; i++) {
    if (i == O.warmup) t0 = now();
    int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR) {
        i--;
        continue;
      }
      die("accept");
    }
    close(c);
    if (i >= O.warmup) {
      n++;
      if ((n & 255) == 0 && now() - t0 > O.seconds) break;
    }
  }
  double t1 = now();
  close(ls);
  reap(peer, n < O.count ? 0.2 : 10);
  emit(n / (t1 - t0), "connections/s", n, t1 - t0, NULL);
}

static void accept_peer(void) {
  long long total = O.warmup + O.count;
  char b;
  for (long long i = 0; i < total; i++) {
    int s = tcp_connect(O.port);
    if (recv(s, &b, 1, 0) != 0) dief("expected EOF");
    close(s);
  }
}

// ---- idle-conns ----------------------------------------------------------------------
//
// main (the server) reports its RSS before and after accepting `count` connections.
// The client connects `batch` at a time; the server sends one byte on the last
// connection of each batch, and the client waits for it before the next batch, so the
// accept queue never overflows.

static void idle_main(void) {
  int ls = tcp_listen(4096, &O.port);
  char port[32], count[32], batch[32];
  snprintf(port, sizeof port, "%d", O.port);
  snprintf(count, sizeof count, "%lld", O.count);
  snprintf(batch, sizeof batch, "%lld", O.batch);
  const char *client = getenv("BENCH_IDLE_CLIENT");
  char *argv[] = {client && *client ? (char *)client : self_exe,
                  "idle-conns",
                  "client",
                  "--port",
                  port,
                  "--count",
                  count,
                  "--batch",
                  batch,
                  "--seconds",
                  "60",
                  NULL};
  pid_t peer = spawn(argv, -1);
  long rss0 = vmrss_kb();
  int *fds = malloc(sizeof(int) * (size_t)O.count);
  double t0 = now();
  long long n = 0;
  while (n < O.count) {
    int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR) continue;
      die("accept");
    }
    fds[n++] = c;
    if (n % O.batch == 0 || n == O.count) write_all(c, "x", 1);
    if ((n & 255) == 0 && now() - t0 > O.seconds) break;
  }
  double t1 = now();
  long rss1 = vmrss_kb();
  kill(peer, SIGTERM);
  reap(peer, 5);
  for (long long i = 0; i < n; i++) close(fds[i]);
  close(ls);
  char extra[160];
  snprintf(extra, sizeof extra, "\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,\"conns\":%lld", rss0, rss1, n);
  emit((double)(rss1 - rss0) * 1024.0 / (double)n, "B/conn", n, t1 - t0, extra);
}

static void idle_client(void) {
  int *fds = malloc(sizeof(int) * (size_t)O.count);
  struct timeval tv = {.tv_sec = 60, .tv_usec = 0};
  for (long long i = 0; i < O.count; i++) {
    fds[i] = tcp_connect(O.port);
    if ((i + 1) % O.batch == 0 || i + 1 == O.count) {
      setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char b;
      if (recv(fds[i], &b, 1, 0) != 1) die("waiting for the server's batch byte");
    }
  }
  // Hold every connection until the server kills us.
  for (;;) pause();
}

// ---- http-hello ----------------------------------------------------------------------
//
// An epoll server (one thread, non-blocking sockets) answering every request, whose end
// is the first "\r\n\r\n", with a fixed response. Its peer is wrk, whose report main
// parses.

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

static pid_t spawn_wrk(int *out_fd) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) die("pipe");
  char threads[] = "-t1", conns[32], dur[32], url[64];
  snprintf(conns, sizeof conns, "-c%lld", O.conns);
  snprintf(dur, sizeof dur, "-d%gs", O.duration);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/", O.port);
  const char *wrk = getenv("BENCH_WRK");
  char *argv[] = {
      (char *)(wrk && *wrk ? wrk : "/usr/bin/wrk"), threads, conns, dur, "--timeout", "5s", url, NULL};
  pid_t pid = spawn(argv, p[1]);
  close(p[1]);
  *out_fd = p[0];
  return pid;
}

// Emits the result from wrk's report (shared format with the other implementations).
static void emit_wrk(const char *report, double secs) {
  const char *r = strstr(report, "Requests/sec:");
  if (!r) {
    fprintf(stderr, "%s\n", report);
    dief("no Requests/sec in wrk's report");
  }
  double rps = atof(r + strlen("Requests/sec:"));
  long long reqs = 0;
  const char *q = strstr(report, " requests in ");
  if (q) {
    const char *s = q;
    while (s > report && s[-1] >= '0' && s[-1] <= '9') s--;
    reqs = atoll(s);
  }
  long long errors = 0;
  const char *e = strstr(report, "Socket errors:");
  if (e) {
    long long c1 = 0, r1 = 0, w1 = 0, t1 = 0;
    sscanf(e, "Socket errors: connect %lld, read %lld, write %lld, timeout %lld", &c1, &r1, &w1, &t1);
    errors = c1 + r1 + w1 + t1;
  }
  const char *x = strstr(report, "Non-2xx or 3xx responses:");
  long long non2xx = x ? atoll(x + strlen("Non-2xx or 3xx responses:")) : 0;
  char extra[128];
  snprintf(extra, sizeof extra, "\"socket_errors\":%lld,\"non2xx\":%lld", errors, non2xx);
  emit(rps, "requests/s", reqs, secs, extra);
}

typedef struct {
  int fd;
  int state;  // progress through "\r\n\r\n" (http-hello)
} conn_t;

// Sends all of buf on a non-blocking socket (poll(2) on a full buffer); gives up on an error.
static void send_all_nb(int fd, const char *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        poll(&p, 1, 1000);
        continue;
      }
      return;
    }
    off += (size_t)w;
  }
}

// The one-thread epoll server (level-triggered) of http-hello and echo-many: accepts on
// `ls` (non-blocking), hands what each connection sends to `on_data`, closes connections at
// EOF, and collects what `out_fd` (the load generator's stdout) writes into `report` until
// it closes or `hard` (monotonic seconds) passes. Returns the report's length.
static size_t epoll_server(int ls, int out_fd, char *report, size_t cap, double hard,
                           void (*on_data)(conn_t *c, const char *buf, size_t len)) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  conn_t out_tag = {.fd = out_fd};
  ev.data.ptr = &out_tag;
  epoll_ctl(ep, EPOLL_CTL_ADD, out_fd, &ev);
  size_t rlen = 0;
  char buf[4096];
  struct epoll_event evs[256];
  int done = 0;
  while (!done && now() < hard) {
    int n = epoll_wait(ep, evs, 256, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (c == NULL) {  // the listener
        for (;;) {
          int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
          if (fd < 0) break;
          nodelay(fd);
          conn_t *nc = calloc(1, sizeof *nc);
          nc->fd = fd;
          struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e2);
        }
        continue;
      }
      if (c == &out_tag) {
        ssize_t r = read(out_fd, report + rlen, cap - 1 - rlen);
        if (r > 0)
          rlen += (size_t)r;
        else if (r == 0 || (r < 0 && errno != EINTR))
          done = 1;
        continue;
      }
      ssize_t r = recv(c->fd, buf, sizeof buf, 0);
      if (r <= 0) {
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        close(c->fd);  // also removes it from the epoll set
        free(c);
        continue;
      }
      on_data(c, buf, (size_t)r);
    }
  }
  close(ep);
  report[rlen] = 0;
  return rlen;
}

// http-hello: answers every request (its end is the first "\r\n\r\n") with RESPONSE.
static void http_on_data(conn_t *c, const char *buf, size_t len) {
  static char out[64 * sizeof RESPONSE];
  int reqs = 0;
  for (size_t k = 0; k < len; k++) {
    char ch = buf[k];
    int st = c->state;
    if (ch == '\r')
      st = (st == 0 || st == 2) ? st + 1 : 1;
    else if (ch == '\n')
      st = (st == 1 || st == 3) ? st + 1 : 0;
    else
      st = 0;
    if (st == 4) {
      reqs++;
      st = 0;
    }
    c->state = st;
  }
  while (reqs > 0) {  // answers (wrk does not pipeline: one at a time)
    int k = reqs > 64 ? 64 : reqs;
    for (int j = 0; j < k; j++)
      memcpy(out + (size_t)j * (sizeof RESPONSE - 1), RESPONSE, sizeof RESPONSE - 1);
    send_all_nb(c->fd, out, (size_t)k * (sizeof RESPONSE - 1));
    reqs -= k;
  }
}

static void http_main(void) {
  int ls = tcp_listen(1024, &O.port);
  fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
  int wrk_out;
  pid_t wrk = spawn_wrk(&wrk_out);
  char report[16384];
  double t0 = now();
  epoll_server(ls, wrk_out, report, sizeof report, t0 + O.duration + 30, http_on_data);
  double t1 = now();
  reap(wrk, 5);
  emit_wrk(report, t1 - t0);
}

// ---- io_uring servers (--variant uring) ----------------------------------------------
//
// The io_uring experiment of issue 12 (docs/performance.md, "io_uring experiment"): the
// same servers as the epoll ones, on an io_uring driven with raw syscalls and the kernel's
// own header (no liburing). One io_uring_enter per loop turn submits what the turn prepared
// and waits for at least one completion.
//
//   echo-many-N main --variant uring       one multishot accept, one multishot recv per
//                                          connection taking buffers from a provided buffer
//                                          ring, each echo an IORING_OP_SEND SQE
//   echo-many-N main --variant uring-send  the same, each echo a direct send(2)
//   tcp-accept main --variant uring        one multishot accept, close(2) per connection
//   tcp-accept main --variant uring-close  the same, each close an IORING_OP_CLOSE SQE
//   tcp-accept main --variant epoll        the epoll loop the comparison needs (the default
//                                          C accept server is a blocking accept4 loop)
//
// A buffer goes back to the ring when its echo is done. BENCH_URING_BUFS=count,size sets
// the buffer ring: the default, 1024 buffers of 512 bytes, was faster than 4096 of 2048 (the
// ring hands buffers out in FIFO order, so a larger set cycles through more cache). With
// --variant uring, two echoes of one connection in one turn could complete out of order if
// the first had to wait for socket buffer space; with one small request in flight per
// connection, as echo-many has, that cannot happen. BENCH_URING_PLAIN=1 sets the ring up
// without IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN.

#if defined(__linux__) && __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#if defined(IORING_RECV_MULTISHOT) && defined(IORING_ACCEPT_MULTISHOT) && defined(IORING_SETUP_DEFER_TASKRUN)
#define BENCH_URING 1
#endif
#endif

#ifdef BENCH_URING

typedef struct {
  int fd;
  unsigned *sq_head, *sq_tail, sq_mask, sq_entries;
  unsigned *cq_head, *cq_tail, cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  unsigned sq_local;  // SQEs prepared (published to *sq_tail at submit)
  unsigned submitted;
} ur_t;

static int ur_setup(ur_t *u, unsigned entries, unsigned cq_entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  p.cq_entries = cq_entries;
  if (getenv("BENCH_URING_PLAIN")) p.flags = IORING_SETUP_CQSIZE;
  int fd = (int)syscall(__NR_io_uring_setup, entries, &p);
  if (fd < 0) return -1;
  if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_NODROP)) {
    close(fd);
    errno = ENOSYS;
    return -1;
  }
  size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  size_t sz = sq_sz > cq_sz ? sq_sz : cq_sz;
  char *ring = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (ring == MAP_FAILED) die("mmap io_uring rings");
  u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (u->sqes == MAP_FAILED) die("mmap io_uring sqes");
  u->fd = fd;
  u->sq_head = (unsigned *)(ring + p.sq_off.head);
  u->sq_tail = (unsigned *)(ring + p.sq_off.tail);
  u->sq_mask = *(unsigned *)(ring + p.sq_off.ring_mask);
  u->sq_entries = p.sq_entries;
  unsigned *array = (unsigned *)(ring + p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;  // identity: SQE i is slot i
  u->cq_head = (unsigned *)(ring + p.cq_off.head);
  u->cq_tail = (unsigned *)(ring + p.cq_off.tail);
  u->cq_mask = *(unsigned *)(ring + p.cq_off.ring_mask);
  u->cqes = (struct io_uring_cqe *)(ring + p.cq_off.cqes);
  u->sq_local = u->submitted = *u->sq_tail;
  return 0;
}

// Submits what was prepared and, with wait, waits up to 1 s for a completion.
static int ur_enter(ur_t *u, int wait) {
  __atomic_store_n(u->sq_tail, u->sq_local, __ATOMIC_RELEASE);
  unsigned n = u->sq_local - u->submitted;
  struct __kernel_timespec ts = {.tv_sec = 1, .tv_nsec = 0};
  struct io_uring_getevents_arg arg = {.ts = (uint64_t)(uintptr_t)&ts};
  unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
  for (;;) {
    int r = (int)syscall(__NR_io_uring_enter, u->fd, n, wait ? 1 : 0, flags, &arg, sizeof arg);
    if (r >= 0) {
      u->submitted += (unsigned)r;
      return r;
    }
    if (errno == EINTR) continue;
    if (errno == ETIME) {  // the wait timed out; the submission went through
      u->submitted = u->sq_local;
      return 0;
    }
    die("io_uring_enter");
  }
}

static struct io_uring_sqe *ur_sqe(ur_t *u) {
  if (u->sq_local - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE) >= u->sq_entries) ur_enter(u, 0);
  if (u->sq_local - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE) >= u->sq_entries) dief("SQ full");
  struct io_uring_sqe *s = &u->sqes[u->sq_local & u->sq_mask];
  memset(s, 0, sizeof *s);
  u->sq_local++;
  return s;
}

enum { UR_ACCEPT = 1, UR_RECV, UR_SEND, UR_PIPE, UR_CLOSE };
// user_data: the kind in bits 56-63, a value in bits 0-31 (a send: the fd in bits 32-55)
#define UR_TAG(kind, v) (((uint64_t)(kind) << 56) | (uint64_t)(uint32_t)(v))
#define UR_BGID 0
#define UR_NBUF_MAX 32768
static unsigned ur_nbuf = 1024, ur_bufsz = 512;  // BENCH_URING_BUFS=count,size changes them

// An SQE for `op` on `fd`, its completion tagged with `tag`.
static struct io_uring_sqe *ur_prep(ur_t *u, int op, int fd, uint64_t tag) {
  struct io_uring_sqe *s = ur_sqe(u);
  s->opcode = (uint8_t)op;
  s->fd = fd;
  s->user_data = tag;
  return s;
}

static void ur_accept(ur_t *u, int ls) {
  struct io_uring_sqe *s = ur_prep(u, IORING_OP_ACCEPT, ls, UR_TAG(UR_ACCEPT, 0));
  s->ioprio = IORING_ACCEPT_MULTISHOT;
  s->accept_flags = SOCK_CLOEXEC;
}

static void ur_recv(ur_t *u, int fd) {
  struct io_uring_sqe *s = ur_prep(u, IORING_OP_RECV, fd, UR_TAG(UR_RECV, fd));
  s->ioprio = IORING_RECV_MULTISHOT;
  s->flags = IOSQE_BUFFER_SELECT;
  s->buf_group = UR_BGID;
}

// The provided buffer ring: ur_nbuf buffers of ur_bufsz bytes in group UR_BGID.
typedef struct {
  struct io_uring_buf_ring *br;
  char *mem;
} ur_bufs_t;

static void ur_buf_put(ur_bufs_t *b, unsigned bid) {
  unsigned short tail = b->br->tail;
  struct io_uring_buf *e = &b->br->bufs[tail & (ur_nbuf - 1)];
  e->addr = (uint64_t)(uintptr_t)(b->mem + (size_t)bid * ur_bufsz);
  e->len = ur_bufsz;
  e->bid = (unsigned short)bid;
  __atomic_store_n(&b->br->tail, (unsigned short)(tail + 1), __ATOMIC_RELEASE);
}

static void ur_bufs_register(ur_t *u, ur_bufs_t *b) {
  const char *env = getenv("BENCH_URING_BUFS");
  if (env && sscanf(env, "%u,%u", &ur_nbuf, &ur_bufsz) != 2) dief("BENCH_URING_BUFS=count,size");
  if (ur_nbuf < 1 || ur_nbuf > UR_NBUF_MAX || (ur_nbuf & (ur_nbuf - 1)) || ur_bufsz < 64 || ur_bufsz > 65536)
    dief("BENCH_URING_BUFS: a power of two up to 32768 buffers of 64 to 65536 bytes");
  b->br = mmap(NULL, ur_nbuf * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
               MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  b->mem = malloc((size_t)ur_nbuf * ur_bufsz);
  if (b->br == MAP_FAILED || !b->mem) die("buffer ring memory");
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof reg);
  reg.ring_addr = (uint64_t)(uintptr_t)b->br;
  reg.ring_entries = ur_nbuf;
  reg.bgid = UR_BGID;
  if (syscall(__NR_io_uring_register, u->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
    die("IORING_REGISTER_PBUF_RING");
  b->br->tail = 0;
  for (unsigned i = 0; i < ur_nbuf; i++) ur_buf_put(b, i);
}

static void ur_pipe_read(ur_t *u, int fd, char *report, size_t rlen, size_t cap) {
  struct io_uring_sqe *s = ur_prep(u, IORING_OP_READ, fd, UR_TAG(UR_PIPE, 0));
  s->addr = (uint64_t)(uintptr_t)(report + rlen);
  s->len = (unsigned)(cap - 1 - rlen);
  s->off = (uint64_t)-1;
}

static int uring_variant(void) {
  return O.variant && !strncmp(O.variant, "uring", 5);
}

// echo-many on io_uring; returns the client's report length, as epoll_server does.
static size_t uring_echo_server(int ls, int out_fd, char *report, size_t cap, double hard) {
  int direct_send = !strcmp(O.variant, "uring-send");
  ur_t u;
  if (ur_setup(&u, 4096, 16384) < 0) die("io_uring_setup");
  ur_bufs_t bufs;
  ur_bufs_register(&u, &bufs);
  ur_accept(&u, ls);
  size_t rlen = 0;
  ur_pipe_read(&u, out_fd, report, rlen, cap);
  int done = 0;
  while (!done && now() < hard) {
    ur_enter(&u, 1);
    unsigned head = *u.cq_head, tail = __atomic_load_n(u.cq_tail, __ATOMIC_ACQUIRE);
    for (; head != tail; head++) {
      struct io_uring_cqe *c = &u.cqes[head & u.cq_mask];
      int kind = (int)(c->user_data >> 56), v = (int)(uint32_t)c->user_data, res = c->res;
      unsigned f = c->flags;
      if (kind == UR_ACCEPT) {
        if (res >= 0) {
          nodelay(res);
          ur_recv(&u, res);
        }
        if (!(f & IORING_CQE_F_MORE)) ur_accept(&u, ls);
      } else if (kind == UR_RECV) {
        if (res > 0) {
          unsigned bid = f >> IORING_CQE_BUFFER_SHIFT;
          char *p = bufs.mem + (size_t)bid * ur_bufsz;
          if (direct_send) {
            send_all_nb(v, p, (size_t)res);
            ur_buf_put(&bufs, bid);
          } else {
            uint64_t tag = UR_TAG(UR_SEND, bid | ((unsigned)res << 16)) | (uint64_t)(unsigned)v << 32;
            struct io_uring_sqe *s = ur_prep(&u, IORING_OP_SEND, v, tag);
            s->addr = (uint64_t)(uintptr_t)p;
            s->len = (unsigned)res;
            s->msg_flags = MSG_NOSIGNAL;
          }
          if (!(f & IORING_CQE_F_MORE)) ur_recv(&u, v);
        } else if (res == -ENOBUFS) {
          ur_recv(&u, v);  // the ring ran dry: buffers come back as echoes complete
        } else {
          close(v);  // EOF or an error ends the multishot receive
        }
      } else if (kind == UR_SEND) {
        unsigned bid = (unsigned)v & 0xffff, len = (unsigned)v >> 16;
        if (res >= 0 && (unsigned)res < len)  // a short send: the rest goes synchronously
          send_all_nb((int)(c->user_data >> 32 & 0xffffff), bufs.mem + (size_t)bid * ur_bufsz + res,
                      len - (unsigned)res);
        ur_buf_put(&bufs, bid);
      } else if (kind == UR_PIPE) {
        if (res > 0) {
          rlen += (size_t)res;
          if (rlen + 1 < cap)
            ur_pipe_read(&u, out_fd, report, rlen, cap);
          else
            done = 1;
        } else {
          done = 1;
        }
      }
    }
    __atomic_store_n(u.cq_head, head, __ATOMIC_RELEASE);
  }
  close(u.fd);
  report[rlen] = 0;
  return rlen;
}

// tcp-accept on io_uring: one multishot accept, close(2) per connection.
static void uring_accept_main(void) {
  int ls = tcp_listen(128, &O.port);
  pid_t peer = spawn_self_peer(NULL, NULL);
  int close_sqe = !strcmp(O.variant, "uring-close");
  ur_t u;
  if (ur_setup(&u, 64, 256) < 0) die("io_uring_setup");
  ur_accept(&u, ls);
  long long total = O.warmup + O.count, i = 0, n = 0;
  double t0 = now();
  while (i < total) {
    ur_enter(&u, 1);
    unsigned head = *u.cq_head, tail = __atomic_load_n(u.cq_tail, __ATOMIC_ACQUIRE);
    for (; head != tail; head++) {
      struct io_uring_cqe *c = &u.cqes[head & u.cq_mask];
      if ((int)(c->user_data >> 56) != UR_ACCEPT) {  // a failed close
        errno = -c->res;
        die("IORING_OP_CLOSE");
      }
      if (c->res < 0) {
        errno = -c->res;
        die("multishot accept");
      }
      if (close_sqe) {  // the close rides on the next io_uring_enter
        ur_prep(&u, IORING_OP_CLOSE, c->res, UR_TAG(UR_CLOSE, 0))->flags = IOSQE_CQE_SKIP_SUCCESS;
      } else {
        close(c->res);
      }
      if (!(c->flags & IORING_CQE_F_MORE)) ur_accept(&u, ls);
      if (++i == O.warmup) t0 = now();
      if (i > O.warmup) n++;
    }
    __atomic_store_n(u.cq_head, head, __ATOMIC_RELEASE);
    if (n > 0 && (n & 255) == 0 && now() - t0 > O.seconds) break;
  }
  double t1 = now();
  close(u.fd);
  close(ls);
  reap(peer, n < O.count ? 0.2 : 10);
  char extra[64];
  snprintf(extra, sizeof extra, "\"variant\":\"%s\"", O.variant);
  emit(n / (t1 - t0), "connections/s", n, t1 - t0, extra);
}

#else
static int uring_variant(void) {
  if (O.variant && !strncmp(O.variant, "uring", 5)) dief("built without <linux/io_uring.h>");
  return 0;
}
static size_t uring_echo_server(int ls, int out_fd, char *report, size_t cap, double hard) {
  (void)ls, (void)out_fd, (void)report, (void)cap, (void)hard;
  return 0;
}
static void uring_accept_main(void) {}
#endif

// tcp-accept, --variant epoll: a non-blocking listener on an epoll loop, accept4 until
// EAGAIN on each wake-up, close(2) per connection.
static void epoll_accept_main(void) {
  int ls = tcp_listen(128, &O.port);
  fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
  pid_t peer = spawn_self_peer(NULL, NULL);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) < 0) die("epoll");
  long long total = O.warmup + O.count, i = 0, n = 0;
  double t0 = now();
  while (i < total) {
    int r = epoll_wait(ep, &ev, 1, 1000);
    if (r < 0 && errno != EINTR) die("epoll_wait");
    for (;;) {
      int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (c < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        die("accept4");
      }
      close(c);
      if (++i == O.warmup) t0 = now();
      if (i > O.warmup) n++;
    }
    if (n > 0 && (n & 255) == 0 && now() - t0 > O.seconds) break;
  }
  double t1 = now();
  close(ep);
  close(ls);
  reap(peer, n < O.count ? 0.2 : 10);
  emit(n / (t1 - t0), "connections/s", n, t1 - t0, "\"variant\":\"epoll\"");
}

// ---- echo-many -----------------------------------------------------------------------
//
// Many connections, one request in flight on each. The client (this program, role
// client) is shared by every implementation's server: it opens --conns connections, sends
// a --size message on each, and on one epoll loop sends the next message on a connection
// as soon as its echo is complete. After --settle seconds of load it measures for
// --duration seconds: round trips, the latency of each (send to complete echo), how the
// round trips spread over the connections, and the server's CPU time (utime + stime of
// its parent, the server, from /proc). It then closes every connection and prints the
// figures as the inside of a JSON object on stdout, which the server wraps into its line.

#define LAT_BUCKETS 1000000  // 1 µs buckets up to 1 s; slower ones land in the last

typedef struct {
  int fd;
  size_t got;
  double sent;
  long long rts;  // round trips completed inside the window
} echo_conn_t;

static long long proc_cpu_ticks(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  unsigned long long ut = 0, st = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
  return (long long)(ut + st);
}

static double lat_quantile(const uint32_t *h, long long total, double q) {
  long long want = (long long)(q * (double)total);
  if (want >= total) want = total - 1;
  long long seen = 0;
  for (int i = 0; i < LAT_BUCKETS; i++) {
    seen += h[i];
    if (seen > want) return (double)i + 0.5;
  }
  return LAT_BUCKETS;
}

static void echo_client(void) {
  pid_t server = getppid();
  long long nc = O.conns;
  if (nc < 1 || O.size < 1 || O.size > 4096) dief("bad --conns or --size");
  echo_conn_t *cs = calloc((size_t)nc, sizeof *cs);
  uint32_t *hist = calloc(LAT_BUCKETS, sizeof *hist);
  if (!cs || !hist) dief("out of memory");
  char msg[4096], buf[4096];
  memset(msg, 'e', sizeof msg);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  for (long long i = 0; i < nc; i++) {
    cs[i].fd = tcp_connect(O.port);
    nodelay(cs[i].fd);
    fcntl(cs[i].fd, F_SETFL, fcntl(cs[i].fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) die("epoll_ctl");
  }
  double start = now();
  for (long long i = 0; i < nc; i++) {
    cs[i].sent = now();
    write_all(cs[i].fd, msg, (size_t)O.size);
  }
  double w0 = start + O.settle, w1 = w0 + O.duration, hard = start + O.seconds;
  int in_window = 0;
  long long cpu0 = 0, total = 0;
  double lat_max = 0;
  struct epoll_event evs[256];
  for (;;) {
    double t = now();
    if (!in_window && t >= w0) {
      in_window = 1;
      cpu0 = proc_cpu_ticks(server);
      w0 = t;
    }
    if (in_window && t >= w1) break;
    if (t > hard) dief("no progress before --seconds ran out");
    int n = epoll_wait(ep, evs, 256, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int k = 0; k < n; k++) {
      echo_conn_t *c = &cs[evs[k].data.u64];
      ssize_t r = recv(c->fd, buf, (size_t)O.size - c->got, 0);
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        die("recv");
      }
      if (r == 0) dief("the server closed a connection");
      c->got += (size_t)r;
      if (c->got < (size_t)O.size) continue;
      double done = now();
      if (in_window) {
        double us = (done - c->sent) * 1e6;
        int b = us < 0 ? 0 : us >= LAT_BUCKETS ? LAT_BUCKETS - 1 : (int)us;
        hist[b]++;
        if (us > lat_max) lat_max = us;
        c->rts++;
        total++;
      }
      c->got = 0;
      c->sent = done;
      write_all(c->fd, msg, (size_t)O.size);
    }
  }
  double w = now() - w0;
  long long cpu1 = proc_cpu_ticks(server);
  for (long long i = 0; i < nc; i++) close(cs[i].fd);
  if (total == 0) dief("no round trip completed inside the window");
  long long lo = cs[0].rts, hi = cs[0].rts, starved = 0;
  double mean = (double)total / (double)nc, sq = 0;
  for (long long i = 0; i < nc; i++) {
    if (cs[i].rts < lo) lo = cs[i].rts;
    if (cs[i].rts > hi) hi = cs[i].rts;
    if ((double)cs[i].rts < mean / 4) starved++;
    sq += (double)cs[i].rts * (double)cs[i].rts;
  }
  double cpu_us = cpu0 >= 0 && cpu1 >= 0
                      ? (double)(cpu1 - cpu0) * 1e6 / (double)sysconf(_SC_CLK_TCK) / (double)total
                      : -1;
  printf(
      "\"value\":%.6g,\"unit\":\"round trips/s\",\"ops\":%lld,\"seconds\":%.6f,\"conns\":%lld,"
      "\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"server_cpu_us_per_rt\":%.3f,"
      "\"conn_rts_min\":%lld,\"conn_rts_max\":%lld,\"conn_rts_mean\":%.1f,\"starved\":%lld,\"jain\":%.4f\n",
      (double)total / w, total, w, nc, lat_quantile(hist, total, 0.5), lat_quantile(hist, total, 0.99),
      lat_max, cpu_us, lo, hi, mean, starved, (double)total * (double)total / ((double)nc * sq));
  fflush(stdout);
  free(hist);
  free(cs);
}

// Spawns the echo-many client with its stdout on a pipe; returns the read end.
static pid_t spawn_echo_client(int *out_fd) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) die("pipe");
  char port[32], conns[32], size[32], dur[32], settle[32], secs[32];
  snprintf(port, sizeof port, "%d", O.port);
  snprintf(conns, sizeof conns, "%lld", O.conns);
  snprintf(size, sizeof size, "%lld", O.size);
  snprintf(dur, sizeof dur, "%g", O.duration);
  snprintf(settle, sizeof settle, "%g", O.settle);
  snprintf(secs, sizeof secs, "%g", O.seconds);
  const char *client = getenv("BENCH_IDLE_CLIENT");
  char *argv[] = {client && *client ? (char *)client : self_exe,
                  "echo-many",
                  "client",
                  "--port",
                  port,
                  "--conns",
                  conns,
                  "--size",
                  size,
                  "--duration",
                  dur,
                  "--settle",
                  settle,
                  "--seconds",
                  secs,
                  NULL};
  pid_t pid = spawn(argv, p[1]);
  close(p[1]);
  *out_fd = p[0];
  return pid;
}

// echo-many, the C server: epoll_server, echoing whatever arrives.
static void echo_on_data(conn_t *c, const char *buf, size_t len) {
  send_all_nb(c->fd, buf, len);
}

static void echo_main(void) {
  int ls = tcp_listen(4096, &O.port);
  fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
  int cl_out;
  pid_t client = spawn_echo_client(&cl_out);
  char report[4096];
  double hard = now() + O.seconds + 10;
  size_t rlen = uring_variant() ? uring_echo_server(ls, cl_out, report, sizeof report, hard)
                                : epoll_server(ls, cl_out, report, sizeof report, hard, echo_on_data);
  if (reap(client, 5) != 0 || rlen == 0) dief("the echo-many client failed");
  char *nl = strchr(report, '\n');
  if (nl) *nl = 0;
  if (O.variant && *O.variant)
    printf("{\"impl\":\"c\",\"scenario\":\"%s\",\"variant\":\"%s\",%s}\n", O.scenario, O.variant, report);
  else
    printf("{\"impl\":\"c\",\"scenario\":\"%s\",%s}\n", O.scenario, report);
  fflush(stdout);
  close(ls);
}

// ---- dispatch ------------------------------------------------------------------------

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  ssize_t l = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (l < 0) die("readlink /proc/self/exe");
  self_exe[l] = 0;
  parse_args(argc, argv);
  const char *s = O.scenario;
  int peer = !strcmp(O.role, "peer");
  if (!strcmp(s, "tcp-pingpong"))
    peer ? pingpong_peer() : pingpong_main();
  else if (!strcmp(s, "tcp-bulk"))
    peer ? bulk_peer() : bulk_main();
  else if (!strcmp(s, "udp-pps"))
    peer ? udp_peer(0) : udp_main(0);
  else if (!strcmp(s, "udp-batched"))
    peer ? udp_peer(1) : udp_main(1);
  else if (!strcmp(s, "tcp-accept"))
    peer              ? accept_peer()
    : uring_variant() ? uring_accept_main()
    : epoll_variant() ? epoll_accept_main()
                      : accept_main();
  else if (!strcmp(s, "idle-conns"))
    !strcmp(O.role, "client") ? idle_client() : idle_main();
  else if (!strcmp(s, "http-hello"))
    http_main();
  else if (!strncmp(s, "echo-many", 9))
    !strcmp(O.role, "client") ? echo_client() : echo_main();
  else
    dief("unknown scenario");
  return 0;
}

// PACKET_MMAP rings: a TPACKET_V3 receive ring and a TPACKET_V2/V3 transmit ring on an
// AF_PACKET socket (see ring.h; lib/ring.ts builds the public RxRing/TxRing on these).
#include "ring.h"

#include <linux/if_packet.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <unordered_map>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sock_call.h"
#include "sockaddr.h"

namespace bsdsock {

namespace {

// One mmap(2) of a ring. Owned by the finalizer of the external ArrayBuffer over it; the
// memory itself is unmapped by whichever comes first: ring_unmap (after detaching the
// ArrayBuffer), the environment's cleanup hook, or that finalizer.
struct Mapping {
  void *addr;
  size_t len;
  napi_env env;
  bool unmapped;
  bool hooked;  // the env cleanup hook is registered
};

// The live mappings of this thread's environment, by address (one environment per thread).
thread_local std::unordered_map<void *, Mapping *> t_maps;

void Unmap(Mapping *m) {
  if (m->unmapped) return;
  munmap(m->addr, m->len);
  m->unmapped = true;
  t_maps.erase(m->addr);
}

// The environment (a worker, or the process) ends with the ring still mapped. No JS can
// run any more, so no view can read the memory.
void OnEnvCleanup(void *arg) {
  auto *m = static_cast<Mapping *>(arg);
  m->hooked = false;
  Unmap(m);
}

void Unhook(Mapping *m) {
  if (!m->hooked) return;
  m->hooked = false;
  napi_remove_env_cleanup_hook(m->env, OnEnvCleanup, m);
}

// The ArrayBuffer's backing store is gone (collected or detached): its memory may go.
void OnFinalize(napi_env, void *, void *hint) {
  auto *m = static_cast<Mapping *>(hint);
  Unhook(m);
  Unmap(m);
  delete m;
}

// setsockopt(SOL_PACKET, opt, int); false with errno on failure.
bool SetInt(int fd, int opt, int value) {
  return setsockopt(fd, SOL_PACKET, opt, &value, sizeof(value)) == 0;
}

// Frees the kernel's ring of this direction (a tpacket_req of zeros); needs no mapping left.
int Teardown(int fd, bool tx) {
  tpacket_req3 req;
  memset(&req, 0, sizeof(req));
  return setsockopt(fd, SOL_PACKET, tx ? PACKET_TX_RING : PACKET_RX_RING, &req, sizeof(req)) == 0 ? 0 : errno;
}

bool GetU32(Napi::Env env, Napi::Value v, const char *what, uint32_t &out) {
  int64_t x;
  if (!GetInt64(env, v, what, 0, UINT32_MAX, x)) return false;
  out = static_cast<uint32_t>(x);
  return true;
}

// The bytes of a ring's ArrayBuffer and a 4-byte-aligned status word inside it. A detached
// buffer (closed ring) has length 0, so every offset is out of range: an EBADF, not a read.
bool RingWord(Napi::Env env, Napi::Value abv, Napi::Value offv, const char *syscall, uint8_t *&base,
              size_t &len, uint32_t *&word) {
  if (!abv.IsArrayBuffer()) {
    ThrowType(env, "ring must be an ArrayBuffer");
    return false;
  }
  Napi::ArrayBuffer ab = abv.As<Napi::ArrayBuffer>();
  base = static_cast<uint8_t *>(ab.Data());
  len = ab.ByteLength();
  int64_t off;
  if (!GetInt64(env, offv, "ring offset", 0, INT64_MAX, off)) return false;
  if (len == 0 || base == nullptr) {
    ThrowErrno(env, EBADF, syscall);
    return false;
  }
  if (static_cast<uint64_t>(off) > len - 4 || off % 4 != 0) {
    ThrowRange(env, "ring offset out of range");
    return false;
  }
  word = reinterpret_cast<uint32_t *>(base + off);
  return true;
}

bool RxReady(uint32_t s) {
  return (s & TP_STATUS_USER) != 0;
}
bool TxFree(uint32_t s) {
  return (s & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) == 0;
}

// Waits for readiness of `events` under `dl` after the status word said "not yet". kOk
// means "look again"; a pending socket error (the interface went away: ENETDOWN) makes
// poll report POLLERR for ever, so it is read and raised instead of spinning.
CallStatus WaitRing(int fd, short events, const Deadline &dl, int &err) {
  CallStatus w = WaitFd(fd, events, dl, err);
  if (w != CallStatus::kOk) return w;
  int soerr = 0;
  socklen_t l = sizeof(soerr);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) == 0 && soerr != 0) {
    err = soerr;
    return CallStatus::kError;
  }
  return CallStatus::kOk;
}

Napi::Value WaitError(Napi::Env env, CallStatus st, int err, const char *syscall) {
  if (st == CallStatus::kTimedOut) return Napi::Number::New(env, 0);
  return ThrowErrno(env, err, syscall);
}

// ring_map(fd, tx, version, block_size, block_nr, frame_size, frame_nr, retire_blk_tov,
//          timestamp, fanout, qdisc_bypass) -> [ArrayBuffer, version]
// lib/ring.ts has checked every size against the kernel's rules; the kernel checks again.
// version is the kernel's enum (TPACKET_V2 = 1, TPACKET_V3 = 2); -1 (tx only) = TPACKET_V3
// if the kernel takes a V3 transmit ring, else TPACKET_V2.
// timestamp/fanout null = leave unset (both are u32 bit sets). On any failure the socket is left without a
// ring.
Napi::Value RingMap(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, version;
  uint32_t bsize, bnr, fsize, fnr, tov, timestamp = 0, fanout = 0;
  bool hasTimestamp = !info[8].IsNull() && !info[8].IsUndefined();
  bool hasFanout = !info[9].IsNull() && !info[9].IsUndefined();
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 2, "version", version) ||
      !GetU32(env, info[3], "block_size", bsize) || !GetU32(env, info[4], "block_nr", bnr) ||
      !GetU32(env, info[5], "frame_size", fsize) || !GetU32(env, info[6], "frame_nr", fnr) ||
      !GetU32(env, info[7], "retire_blk_tov", tov) ||
      (hasTimestamp && !GetU32(env, info[8], "timestamp", timestamp)) ||
      (hasFanout && !GetU32(env, info[9], "fanout", fanout)))
    return Napi::Value();
  bool tx = info[1].ToBoolean();
  bool bypass = info[10].ToBoolean();
  if (bsize == 0 || bnr == 0 || fsize == 0 || fnr == 0) return ThrowRange(env, "ring sizes must be positive");
  size_t size = static_cast<size_t>(bsize) * bnr;

  tpacket_req3 req;
  memset(&req, 0, sizeof(req));
  req.tp_block_size = bsize;
  req.tp_block_nr = bnr;
  req.tp_frame_size = fsize;
  req.tp_frame_nr = fnr;
  if (!tx) req.tp_retire_blk_tov = tov;
  int ringOpt = tx ? PACKET_TX_RING : PACKET_RX_RING;

  int v = version < 0 ? TPACKET_V3 : version;
  if (!SetInt(fd, PACKET_VERSION, v)) return ThrowErrno(env, errno, "setsockopt");
  if (tx) {
    // A malformed frame is skipped (TP_STATUS_WRONG_FORMAT) instead of blocking the ring.
    if (!SetInt(fd, PACKET_LOSS, 1)) return ThrowErrno(env, errno, "setsockopt");
    if (bypass && !SetInt(fd, PACKET_QDISC_BYPASS, 1)) return ThrowErrno(env, errno, "setsockopt");
  }
  if (setsockopt(fd, SOL_PACKET, ringOpt, &req, sizeof(req)) < 0) {
    int e = errno;
    // Kernels before 4.11 have no V3 transmit ring: fall back to V2 when asked for "any".
    if (!(tx && version < 0 && e == EINVAL && SetInt(fd, PACKET_VERSION, TPACKET_V2) &&
          setsockopt(fd, SOL_PACKET, ringOpt, &req, sizeof(req)) == 0))
      return ThrowErrno(env, e, "setsockopt");
    v = TPACKET_V2;
  }
  void *addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    int e = errno;
    Teardown(fd, tx);
    return ThrowErrno(env, e, "mmap");
  }
  auto fail = [&](int e) {
    munmap(addr, size);
    Teardown(fd, tx);
    return ThrowErrno(env, e, "setsockopt");
  };
  if (hasTimestamp && !SetInt(fd, PACKET_TIMESTAMP, static_cast<int>(timestamp))) return fail(errno);
  if (hasFanout && !SetInt(fd, PACKET_FANOUT, static_cast<int>(fanout))) return fail(errno);

  auto *m = new Mapping{addr, size, env, false, false};
  napi_value ab;
  if (napi_create_external_arraybuffer(env, addr, size, OnFinalize, m, &ab) != napi_ok) {
    delete m;
    return fail(ENOMEM);
  }
  t_maps[addr] = m;
  if (napi_add_env_cleanup_hook(env, OnEnvCleanup, m) == napi_ok) m->hooked = true;
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Value(env, ab));
  out.Set(1u, Napi::Number::New(env, v));
  return out;
}

// ring_unmap(fd, ring, tx): detaches the ArrayBuffer (every view over it now has length 0),
// then unmaps the memory and, when fd >= 0, frees the kernel's ring so that the socket can
// take another. Returns the errno of that last step (0 = freed). A second call does nothing.
Napi::Value RingUnmap(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t fd;
  if (!ArgInt64(info, 0, "file descriptor", -1, INT_MAX, fd)) return Napi::Value();
  if (!info[1].IsArrayBuffer()) return ThrowType(env, "ring must be an ArrayBuffer");
  Napi::ArrayBuffer ab = info[1].As<Napi::ArrayBuffer>();
  if (ab.ByteLength() == 0) return Napi::Number::New(env, 0);
  auto it = t_maps.find(ab.Data());
  if (it == t_maps.end()) return ThrowType(env, "not a ring of this thread");
  Mapping *m = it->second;
  if (napi_detach_arraybuffer(env, ab) != napi_ok)
    return ThrowType(env, "the ring's ArrayBuffer cannot be detached");
  Unhook(m);
  Unmap(m);
  int err = fd >= 0 ? Teardown(static_cast<int>(fd), info[2].ToBoolean()) : 0;
  return Napi::Number::New(env, err);
}

// ring_wait(fd, ring, status_offset, tx, timeout) -> 1 ready, 0 not ready (timed out, or
// timeout 0). RX: the block's status has TP_STATUS_USER; TX: the frame is free.
// Waits with poll(2) (POLLIN / POLLOUT) in the Deadline loop of sock_call.h.
Napi::Value RingWait(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  uint8_t *base;
  size_t len;
  uint32_t *word;
  double timeout;
  if (!ArgFd(info, 0, fd) || !RingWord(env, info[1], info[2], "poll", base, len, word) ||
      !ArgTimeout(info, 4, timeout))
    return Napi::Value();
  bool tx = info[3].ToBoolean();
  Deadline dl(timeout, env);
  for (;;) {
    uint32_t s = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    if (tx ? TxFree(s) : RxReady(s)) return Napi::Number::New(env, 1);
    if (dl.nonblocking()) return Napi::Number::New(env, 0);
    int err = 0;
    CallStatus w = WaitRing(fd, tx ? POLLOUT : POLLIN, dl, err);
    if (w != CallStatus::kOk) return WaitError(env, w, err, "poll");
  }
}

// ring_release(ring, status_offset): hands an RX block back to the kernel.
Napi::Value RingRelease(const Napi::CallbackInfo &info) {
  uint8_t *base;
  size_t len;
  uint32_t *word;
  if (!RingWord(info.Env(), info[0], info[1], "release", base, len, word)) return Napi::Value();
  __atomic_store_n(word, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  return info.Env().Undefined();
}

// ring_address(ring, offset) -> the 5-item AF_PACKET address of the sockaddr_ll at offset.
Napi::Value RingAddress(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint8_t *base;
  size_t len;
  uint32_t *word;
  if (!RingWord(env, info[0], info[1], "recvfrom", base, len, word)) return Napi::Value();
  size_t off = reinterpret_cast<uint8_t *>(word) - base;
  if (len - off < sizeof(sockaddr_ll)) return ThrowRange(env, "ring offset out of range");
  sockaddr_ll sll;
  memcpy(&sll, word, sizeof(sll));
  if (sll.sll_family != AF_PACKET) return env.Null();
  return makesockaddr(env, reinterpret_cast<const sockaddr *>(&sll), sizeof(sll));
}

// ring_send(fd, ring, version, block_size, frame_size, frame_nr, index, frames, timeout)
// -> frames queued and flushed. Copies frames into consecutive free slots from `index`,
// marks them TP_STATUS_SEND_REQUEST and flushes with one send(MSG_DONTWAIT). Waits (per
// timeout) only while no slot is free; returns WOULD_BLOCK when timeout is 0 and none is.
// A failing flush throws with bytes_sent = frames queued (they go out with the next one).
Napi::Value RingSend(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, version;
  uint32_t bsize, fsize, fnr, index;
  double timeout;
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 2, "version", version) ||
      !GetU32(env, info[3], "block_size", bsize) || !GetU32(env, info[4], "frame_size", fsize) ||
      !GetU32(env, info[5], "frame_nr", fnr) || !GetU32(env, info[6], "index", index) ||
      !ArgTimeout(info, 8, timeout))
    return Napi::Value();
  if (!info[1].IsArrayBuffer()) return ThrowType(env, "ring must be an ArrayBuffer");
  if (!info[7].IsArray()) return ThrowType(env, "frames must be an array");
  Napi::ArrayBuffer ab = info[1].As<Napi::ArrayBuffer>();
  auto *base = static_cast<uint8_t *>(ab.Data());
  size_t len = ab.ByteLength();
  if (len == 0 || base == nullptr) return ThrowErrno(env, EBADF, "send");
  if (fsize < 64 || bsize < fsize || fnr == 0 || index >= fnr ||
      (version != TPACKET_V2 && version != TPACKET_V3))
    return ThrowRange(env, "bad ring geometry");
  uint32_t perBlock = bsize / fsize;
  if (static_cast<uint64_t>((fnr - 1) / perBlock) * bsize +
          static_cast<uint64_t>((fnr - 1) % perBlock) * fsize + fsize >
      len)
    return ThrowRange(env, "bad ring geometry");
  size_t dataOff =
      version == TPACKET_V2 ? TPACKET_ALIGN(sizeof(tpacket2_hdr)) : TPACKET_ALIGN(sizeof(tpacket3_hdr));
  size_t maxLen = fsize - dataOff;

  Napi::Array frames = info[7].As<Napi::Array>();
  uint32_t count = frames.Length();
  // Every frame is checked before the first is written.
  for (uint32_t i = 0; i < count; i++) {
    uint8_t *d;
    size_t n;
    if (!GetBytes(env, frames.Get(i), "frame", d, n)) return Napi::Value();
    if (n == 0 || n > maxLen)
      return ThrowRange(env, "frame " + std::to_string(i) + " is " + std::to_string(n) +
                                 " bytes; a slot of this ring holds 1 to " + std::to_string(maxLen));
  }
  Deadline dl(timeout, env);
  uint32_t queued = 0;
  uint32_t idx = index;
  while (queued < count) {
    uint8_t *frame =
        base + static_cast<size_t>(idx / perBlock) * bsize + static_cast<size_t>(idx % perBlock) * fsize;
    auto *status =
        reinterpret_cast<uint32_t *>(frame + (version == TPACKET_V2 ? offsetof(tpacket2_hdr, tp_status)
                                                                    : offsetof(tpacket3_hdr, tp_status)));
    if (!TxFree(__atomic_load_n(status, __ATOMIC_ACQUIRE))) {
      if (queued > 0) break;  // send what is queued; the caller comes back for the rest
      if (dl.nonblocking()) return Napi::Number::New(env, kWouldBlock);
      int err = 0;
      CallStatus w = WaitRing(fd, POLLOUT, dl, err);
      if (w == CallStatus::kTimedOut) return ThrowTimeout(env, "send");
      if (w != CallStatus::kOk) return ThrowErrno(env, err, "poll");
      continue;
    }
    uint8_t *d;
    size_t n;
    GetBytes(env, frames.Get(queued), "frame", d, n);
    if (env.IsExceptionPending()) return Napi::Value();
    if (n == 0 || n > maxLen) return ThrowRange(env, "frame changed size while being sent");
    memcpy(frame + dataOff, d, n);
    if (version == TPACKET_V2) {
      auto *h = reinterpret_cast<tpacket2_hdr *>(frame);
      h->tp_len = static_cast<uint32_t>(n);
      h->tp_snaplen = static_cast<uint32_t>(n);
    } else {
      auto *h = reinterpret_cast<tpacket3_hdr *>(frame);
      h->tp_next_offset = 0;
      h->tp_len = static_cast<uint32_t>(n);
      h->tp_snaplen = static_cast<uint32_t>(n);
    }
    __atomic_store_n(status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
    queued++;
    idx = idx + 1 == fnr ? 0 : idx + 1;
  }
  if (queued > 0) {
    ssize_t r;
    do r = send(fd, nullptr, 0, MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EAGAIN && errno != ENOBUFS) return ThrowErrno(env, errno, "send", queued);
  }
  return Napi::Number::New(env, queued);
}

// ring_stats(fd) -> [packets, drops, freeze_q_cnt]: getsockopt(PACKET_STATISTICS), which
// the kernel resets on every read. packets counts the dropped ones too.
Napi::Value RingStats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  tpacket_stats_v3 st;
  memset(&st, 0, sizeof(st));
  socklen_t l = sizeof(st);
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &l) < 0) return ThrowErrno(env, errno, "getsockopt");
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, st.tp_packets));
  out.Set(1u, Napi::Number::New(env, st.tp_drops));
  out.Set(2u, Napi::Number::New(env, l >= sizeof(st) ? st.tp_freeze_q_cnt : 0));
  return out;
}

}  // namespace

void InitRings(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"ring_map", RingMap},
                   {"ring_unmap", RingUnmap},
                   {"ring_wait", RingWait},
                   {"ring_release", RingRelease},
                   {"ring_address", RingAddress},
                   {"ring_send", RingSend},
                   {"ring_stats", RingStats},
               });
  Napi::Object c = Napi::Object::New(env);
#define RING_CONST(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  RING_CONST(TPACKET_V1);
  RING_CONST(TPACKET_V2);
  RING_CONST(TPACKET_V3);
  RING_CONST(TPACKET_ALIGNMENT);
  RING_CONST(TPACKET2_HDRLEN);
  RING_CONST(TPACKET3_HDRLEN);
  RING_CONST(TP_STATUS_KERNEL);
  RING_CONST(TP_STATUS_USER);
  RING_CONST(TP_STATUS_COPY);
  RING_CONST(TP_STATUS_LOSING);
  RING_CONST(TP_STATUS_CSUMNOTREADY);
  RING_CONST(TP_STATUS_VLAN_VALID);
  RING_CONST(TP_STATUS_BLK_TMO);
  RING_CONST(TP_STATUS_VLAN_TPID_VALID);
  RING_CONST(TP_STATUS_CSUM_VALID);
  RING_CONST(TP_STATUS_AVAILABLE);
  RING_CONST(TP_STATUS_SEND_REQUEST);
  RING_CONST(TP_STATUS_SENDING);
  RING_CONST(TP_STATUS_WRONG_FORMAT);
  RING_CONST(TP_STATUS_TS_SOFTWARE);
  RING_CONST(TP_STATUS_TS_RAW_HARDWARE);
#undef RING_CONST
  c.Set("PAGE_SIZE", Napi::Number::New(env, static_cast<double>(sysconf(_SC_PAGESIZE))));
  exports.Set("ring_constants", c);
}

}  // namespace bsdsock

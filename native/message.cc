// recvmsg/sendmsg with ancillary data, recvmmsg/sendmmsg batches, and sendfile.
// Ancillary data crosses as [level, type, Buffer] triples; lib/socket.ts adds Python's
// argument checks. Received SCM_RIGHTS fds are closed if anything fails after the
// syscall, so a failure never leaks them.
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sock_call.h"
#include "sockaddr.h"

namespace bsdsock {

namespace {

constexpr size_t kMaxIov = IOV_MAX;  // 1024 on Linux
constexpr size_t kMaxVlen = 1024;    // UIO_MAXIOV: the kernel's cap for recvmmsg/sendmmsg
constexpr int64_t kMaxAncBuf = 0x7fffffff;

// An array of bytes-like objects as iovecs.
bool GetIovecs(Napi::Env env, Napi::Value v, const char *caller, std::vector<iovec> &iov) {
  if (!v.IsArray()) {
    ThrowType(env, std::string(caller) + "() argument 1 must be an array of bytes-like objects");
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  if (n > kMaxIov) {
    ThrowRange(env, std::string(caller) + "() argument 1 is too long");
    return false;
  }
  iov.resize(n);
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *data;
    size_t len;
    if (!GetBytes(env, a.Get(i), "buffer", data, len)) return false;
    iov[i].iov_base = data;
    iov[i].iov_len = len;
  }
  return true;
}

// Closes every fd carried by SCM_RIGHTS messages in `msg` (after a failure).
void CloseReceivedFds(msghdr &msg) {
  for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) continue;
    size_t bytes = c->cmsg_len - CMSG_LEN(0);
    // The cmsg may be cut by MSG_CTRUNC: only whole ints inside the buffer count.
    size_t avail = msg.msg_controllen -
                   (reinterpret_cast<uint8_t *>(CMSG_DATA(c)) - static_cast<uint8_t *>(msg.msg_control));
    if (bytes > avail) bytes = avail;
    for (size_t off = 0; off + sizeof(int) <= bytes; off += sizeof(int)) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + off, sizeof(int));
      close(fd);
    }
  }
}

// [level, type, data][] for the control messages the kernel returned.
Napi::Value AncData(Napi::Env env, msghdr &msg) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  if (msg.msg_controllen == 0) return out;
  uint8_t *base = static_cast<uint8_t *>(msg.msg_control);
  for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;  // malformed: stop, as CPython does
    size_t dataOff = reinterpret_cast<uint8_t *>(CMSG_DATA(c)) - base;
    if (dataOff > msg.msg_controllen) break;
    size_t len = c->cmsg_len - CMSG_LEN(0);
    if (dataOff + len > msg.msg_controllen) len = msg.msg_controllen - dataOff;  // truncated (MSG_CTRUNC)
    Napi::Array item = Napi::Array::New(env, 3);
    item.Set(0u, Napi::Number::New(env, c->cmsg_level));
    item.Set(1u, Napi::Number::New(env, c->cmsg_type));
    item.Set(2u, Napi::Buffer<uint8_t>::Copy(env, CMSG_DATA(c), len));
    out.Set(n++, item);
  }
  return out;
}

// recvmsg(fd, buffers, ancbufsize, flags, timeout) -> [nbytes, ancdata, msg_flags, address] | WOULD_BLOCK.
// Calls recvmsg(2) scattering into `buffers`.
Napi::Value RecvMsg(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags;
  int64_t ancbufsize;
  double timeout;
  std::vector<iovec> iov;
  if (!ArgFd(info, 0, fd) || !GetIovecs(env, info[1], "recvmsg_into", iov) ||
      !ArgInt64(info, 2, "ancbufsize", 0, kMaxAncBuf, ancbufsize) || !ArgInt(info, 3, "flags", flags) ||
      !ArgTimeout(info, 4, timeout))
    return Napi::Value();
  // The control buffer is left uninitialised: the kernel writes msg_controllen bytes and
  // AncData reads no further. Zero-filling a huge ancbufsize (2**31 - 1) touched every page
  // before the wait and made a short timeout fire seconds late; CPython does not touch it either.
  std::unique_ptr<uint8_t[]> control;
  if (ancbufsize > 0) {
    control.reset(new (std::nothrow) uint8_t[static_cast<size_t>(ancbufsize)]);
    if (!control) return ThrowRange(env, "cannot allocate the ancillary data buffer (MemoryError)");
  }
  sockaddr_storage ss;
  msghdr msg;
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(timeout, flags, env);
  CallStatus st = sock_call_ex(
      fd, POLLIN, call.deadline,
      [&] {
        memset(&msg, 0, sizeof(msg));
        memset(&ss, 0, sizeof(ss));
        msg.msg_name = &ss;
        msg.msg_namelen = sizeof(ss);
        msg.msg_iov = iov.data();
        msg.msg_iovlen = iov.size();
        msg.msg_control = control.get();
        msg.msg_controllen = static_cast<size_t>(ancbufsize);
        return recvmsg(fd, &msg, call.flags);
      },
      res, err);
  if (st != CallStatus::kOk) return StatusResult(env, st, err, "recvmsg");
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(res)));
  out.Set(1u, AncData(env, msg));
  out.Set(2u, Napi::Number::New(env, msg.msg_flags));
  out.Set(3u, makesockaddr(env, reinterpret_cast<sockaddr *>(&ss), msg.msg_namelen));
  if (env.IsExceptionPending()) {
    CloseReceivedFds(msg);
    return Napi::Value();
  }
  return out;
}

// sendmsg(fd, buffers, ancdata, flags, family, address|null, timeout) -> count | WOULD_BLOCK.
// Calls sendmsg(2) with MSG_NOSIGNAL, gathering `buffers`; ancdata is [level, type, data][].
Napi::Value SendMsg(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags, family;
  double timeout;
  std::vector<iovec> iov;
  if (!ArgFd(info, 0, fd) || !GetIovecs(env, info[1], "sendmsg", iov)) return Napi::Value();
  if (!info[2].IsArray()) return ThrowType(env, "sendmsg() argument 2 must be an array");
  Napi::Array anc = info[2].As<Napi::Array>();
  if (!ArgInt(info, 3, "flags", flags) || !ArgInt(info, 4, "family", family) || !ArgTimeout(info, 6, timeout))
    return Napi::Value();
  SockAddr sa{};
  bool hasAddr = !(info[5].IsNull() || info[5].IsUndefined());
  if (hasAddr && !getsockaddrarg(env, family, info[5], sa, "sendmsg")) return Napi::Value();

  // Lay out the control buffer: every item at CMSG_SPACE, zero padding.
  struct Item {
    int level, type;
    uint8_t *data;
    size_t len;
  };
  std::vector<Item> items(anc.Length());
  size_t total = 0;
  for (uint32_t i = 0; i < anc.Length(); i++) {
    Napi::Value v = anc.Get(i);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 3)
      return ThrowType(env, "sendmsg() ancillary data items must be arrays [level, type, data]");
    Napi::Array t = v.As<Napi::Array>();
    Item &it = items[i];
    if (!GetInt(env, t.Get(0u), "cmsg_level", it.level) || !GetInt(env, t.Get(1u), "cmsg_type", it.type) ||
        !GetBytes(env, t.Get(2u), "cmsg_data", it.data, it.len))
      return Napi::Value();
    if (it.len > static_cast<size_t>(INT32_MAX) - CMSG_SPACE(0))
      return ThrowRange(env, "ancillary data item too large");
    total += CMSG_SPACE(it.len);
    if (total > static_cast<size_t>(INT32_MAX)) return ThrowRange(env, "too much ancillary data");
  }
  std::vector<uint8_t> control(total);
  msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_control = total ? control.data() : nullptr;
  msg.msg_controllen = total;
  if (total) {
    cmsghdr *c = CMSG_FIRSTHDR(&msg);
    for (const Item &it : items) {
      c->cmsg_level = it.level;
      c->cmsg_type = it.type;
      c->cmsg_len = CMSG_LEN(it.len);
      if (it.len) memcpy(CMSG_DATA(c), it.data, it.len);
      c = CMSG_NXTHDR(&msg, c);
    }
  }
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  if (hasAddr) {
    msg.msg_name = &sa.ss;
    msg.msg_namelen = sa.len;
  }
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(timeout, flags | MSG_NOSIGNAL, env);
  CallStatus st = sock_call_ex(
      fd, POLLOUT, call.deadline, [&] { return sendmsg(fd, &msg, call.flags); }, res, err);
  return StatusResult(env, st, err, "sendmsg", res);
}

// One recvmmsg(2) of up to msgs.size() datagrams into `data`, datagram i at offset
// i * bufsize, with each sender's address in names[i] when `names` is given. Waits (per
// the timeout) until at least one datagram is queued, then takes every queued one.
CallStatus RecvMmsgCall(napi_env env, int fd, uint8_t *data, size_t bufsize, int flags, double timeout,
                        std::vector<mmsghdr> &msgs, std::vector<iovec> &iov, sockaddr_storage *names,
                        ssize_t &res, int &err) {
  const MsgCall call(timeout, flags, env);
  // A kernel wait returns once the first datagram is in (MSG_WAITFORONE), as the
  // poll-then-recvmmsg path does; without it a blocking recvmmsg waits for all vlen.
  const int f = call.flags | (call.deadline.kernel_wait() ? MSG_WAITFORONE : 0);
  return sock_call_ex(
      fd, POLLIN, call.deadline,
      [&] {
        for (size_t i = 0; i < msgs.size(); i++) {
          iov[i].iov_base = data + i * bufsize;
          iov[i].iov_len = bufsize;
          memset(&msgs[i], 0, sizeof(mmsghdr));
          msgs[i].msg_hdr.msg_iov = &iov[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
          if (names) {
            msgs[i].msg_hdr.msg_name = &names[i];
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
          }
        }
        return static_cast<ssize_t>(
            recvmmsg(fd, msgs.data(), static_cast<unsigned>(msgs.size()), f, nullptr));
      },
      res, err);
}

// recvmmsg(fd, buffer, vlen, bufsize, flags, timeout) -> [length, address, msg_flags][] | WOULD_BLOCK.
// One recvmmsg(2) into `buffer`, message i at offset i * bufsize (RecvMmsgCall).
Napi::Value RecvMmsg(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags;
  int64_t vlen, bufsize;
  double timeout;
  uint8_t *data;
  size_t len;
  if (!ArgFd(info, 0, fd) || !ArgBytes(info, 1, "buffer", data, len) ||
      !ArgInt64(info, 2, "vlen", 1, kMaxVlen, vlen) || !ArgInt64(info, 3, "bufsize", 0, INT32_MAX, bufsize) ||
      !ArgInt(info, 4, "flags", flags) || !ArgTimeout(info, 5, timeout))
    return Napi::Value();
  if (static_cast<uint64_t>(vlen) * static_cast<uint64_t>(bufsize) > len)
    return ThrowRange(env, "buffer too small for vlen * bufsize");
  std::vector<mmsghdr> msgs(static_cast<size_t>(vlen));
  std::vector<iovec> iov(static_cast<size_t>(vlen));
  std::vector<sockaddr_storage> names(static_cast<size_t>(vlen));
  ssize_t res = 0;
  int err = 0;
  CallStatus st = RecvMmsgCall(env, fd, data, static_cast<size_t>(bufsize), flags, timeout, msgs, iov,
                               names.data(), res, err);
  if (st != CallStatus::kOk) return StatusResult(env, st, err, "recvmmsg");
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(res));
  Napi::Value prevAddr;
  for (ssize_t i = 0; i < res; i++) {
    Napi::Array m = Napi::Array::New(env, 3);
    m.Set(0u, Napi::Number::New(env, msgs[i].msg_len));
    // Datagrams from the same peer share one address value (a batch is usually one peer).
    socklen_t nl = msgs[i].msg_hdr.msg_namelen;
    if (i > 0 && nl == msgs[i - 1].msg_hdr.msg_namelen && memcmp(&names[i], &names[i - 1], nl) == 0) {
      m.Set(1u, prevAddr);
    } else {
      prevAddr = makesockaddr(env, reinterpret_cast<sockaddr *>(&names[i]), nl);
      m.Set(1u, prevAddr);
    }
    m.Set(2u, Napi::Number::New(env, msgs[i].msg_hdr.msg_flags));
    out.Set(static_cast<uint32_t>(i), m);
  }
  return out;
}

// recvmmsg_into(fd, buffer, bufsize, sizes, flags, timeout) -> count | WOULD_BLOCK.
// The allocation-free batch: one recvmmsg(2) of up to sizes.length datagrams into
// `buffer` (datagram i at offset i * bufsize, no addresses), each one's length written to
// sizes[i] (an Int32Array or Uint32Array; with MSG_TRUNC in flags, the full length).
Napi::Value RecvMmsgInto(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags;
  int64_t bufsize;
  double timeout;
  uint8_t *data;
  size_t len;
  if (!ArgFd(info, 0, fd) || !ArgBytes(info, 1, "buffer", data, len) ||
      !ArgInt64(info, 2, "bufsize", 0, INT32_MAX, bufsize))
    return Napi::Value();
  napi_typedarray_type type;
  size_t vlen = 0;
  void *sizesData = nullptr;
  if (napi_get_typedarray_info(env, info[3], &type, &vlen, &sizesData, nullptr, nullptr) != napi_ok ||
      (type != napi_int32_array && type != napi_uint32_array))
    return ThrowType(env, "sizes must be an Int32Array or a Uint32Array");
  if (vlen < 1 || vlen > kMaxVlen) return ThrowRange(env, "sizes must hold 1 to 1024 entries");
  if (!ArgInt(info, 4, "flags", flags) || !ArgTimeout(info, 5, timeout)) return Napi::Value();
  if (static_cast<uint64_t>(vlen) * static_cast<uint64_t>(bufsize) > len)
    return ThrowRange(env, "buffer too small for sizes.length * bufsize");
  std::vector<mmsghdr> msgs(vlen);
  std::vector<iovec> iov(vlen);
  ssize_t res = 0;
  int err = 0;
  CallStatus st =
      RecvMmsgCall(env, fd, data, static_cast<size_t>(bufsize), flags, timeout, msgs, iov, nullptr, res, err);
  if (st != CallStatus::kOk) return StatusResult(env, st, err, "recvmmsg");
  uint32_t *sizes = static_cast<uint32_t *>(sizesData);
  for (ssize_t i = 0; i < res; i++) sizes[i] = msgs[i].msg_len;
  return Napi::Number::New(env, static_cast<double>(res));
}

// sendmmsg(fd, buffers, addresses|null, flags, family, timeout) -> count | WOULD_BLOCK.
// One sendmmsg(2) with MSG_NOSIGNAL; the count may be smaller than the batch.
Napi::Value SendMmsg(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags, family;
  double timeout;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  if (!info[1].IsArray()) return ThrowType(env, "sendmmsg() messages must be an array");
  Napi::Array bufs = info[1].As<Napi::Array>();
  uint32_t n = bufs.Length();
  if (n == 0) return Napi::Number::New(env, 0);
  if (n > kMaxVlen) return ThrowRange(env, "sendmmsg() takes at most 1024 messages per call");
  bool hasAddrs = !(info[2].IsNull() || info[2].IsUndefined());
  if (hasAddrs && (!info[2].IsArray() || info[2].As<Napi::Array>().Length() != n))
    return ThrowType(env, "sendmmsg() addresses must be an array as long as the messages");
  if (!ArgInt(info, 3, "flags", flags) || !ArgInt(info, 4, "family", family) || !ArgTimeout(info, 5, timeout))
    return Napi::Value();
  std::vector<mmsghdr> msgs(n);
  std::vector<iovec> iov(n);
  std::vector<SockAddr> addrs(hasAddrs ? n : 0);
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *data;
    size_t len;
    if (!GetBytes(env, bufs.Get(i), "message", data, len)) return Napi::Value();
    iov[i].iov_base = data;
    iov[i].iov_len = len;
    memset(&msgs[i], 0, sizeof(mmsghdr));
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (hasAddrs) {
      if (!getsockaddrarg(env, family, info[2].As<Napi::Array>().Get(i), addrs[i], "sendmmsg"))
        return Napi::Value();
      msgs[i].msg_hdr.msg_name = &addrs[i].ss;
      msgs[i].msg_hdr.msg_namelen = addrs[i].len;
    }
  }
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(timeout, flags | MSG_NOSIGNAL, env);
  CallStatus st = sock_call_ex(
      fd, POLLOUT, call.deadline,
      [&] { return static_cast<ssize_t>(sendmmsg(fd, msgs.data(), n, call.flags)); }, res, err);
  return StatusResult(env, st, err, "sendmmsg", res);
}

// sendfile(out_fd, in_fd, offset, count, timeout) -> bytes sent. Loops sendfile(2) from
// `offset` until `count` bytes (0 = to end of file) are sent or the file ends, under one
// deadline. A failure throws with `bytes_sent`; a failure on the very first call throws
// with bytes_sent 0 so lib/ can fall back to a read/send loop as Python does. With
// timeout 0 (the async path) it returns what it sent before EAGAIN, or WOULD_BLOCK.
Napi::Value SendFile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int out, in;
  int64_t offset, count;
  double timeout;
  if (!ArgFd(info, 0, out) || !ArgFd(info, 1, in) || !ArgInt64(info, 2, "offset", 0, INT64_MAX / 2, offset) ||
      !ArgInt64(info, 3, "count", 0, INT64_MAX / 2, count) || !ArgTimeout(info, 4, timeout))
    return Napi::Value();
  Deadline deadline(timeout, env);
  off_t off = static_cast<off_t>(offset);
  int64_t sent = 0;
  constexpr size_t kChunk = 1u << 30;
  for (;;) {
    size_t want = kChunk;
    if (count > 0) {
      if (sent >= count) break;
      if (static_cast<uint64_t>(count - sent) < want) want = static_cast<size_t>(count - sent);
    }
    ssize_t res = 0;
    int err = 0;
    CallStatus st = sock_call_ex(
        out, POLLOUT, deadline, [&] { return sendfile(out, in, &off, want); }, res, err);
    if (st == CallStatus::kOk) {
      if (res == 0) break;  // end of file
      sent += res;
      continue;
    }
    if (st == CallStatus::kWouldBlock) {
      // Timeout 0 is the async path: report progress, or WOULD_BLOCK when there is none.
      if (sent > 0) break;
      return Napi::Number::New(env, kWouldBlock);
    }
    return ThrowStatus(env, st, err, "sendfile", static_cast<double>(sent));
  }
  // sendfile(2) with an offset leaves the file position alone; Python leaves it at
  // offset + sent. Not seekable (a pipe): nothing to do.
  if (sent > 0) lseek(in, off, SEEK_SET);
  return Napi::Number::New(env, static_cast<double>(sent));
}

}  // namespace

void InitMessages(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"recvmsg", RecvMsg},
                   {"sendmsg", SendMsg},
                   {"recvmmsg", RecvMmsg},
                   {"recvmmsg_into", RecvMmsgInto},
                   {"sendmmsg", SendMmsg},
                   {"sendfile", SendFile},
               });
}

}  // namespace bsdsock

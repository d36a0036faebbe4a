// Socket syscalls on plain fds: bind, listen, names, connect, accept, recv/send, options, wait.
//
// Stateless: lib/socket.ts owns the socket object, its mode and its timeout, and passes
// the timeout to every I/O call (seconds; < 0 blocking, 0 non-blocking). Conventions are
// in args.h, errors.h and sock_call.h.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sock_call.h"
#include "sockaddr.h"
#include "watcher.h"

namespace bsdsock {

namespace {

// [n, address]: the result of accept (n = the new fd) and recvfrom_into (n = the count).
Napi::Value WithAddress(Napi::Env env, ssize_t n, const sockaddr_storage &ss, socklen_t len) {
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(n)));
  a.Set(1u, makesockaddr(env, reinterpret_cast<const sockaddr *>(&ss), len));
  return a;
}

// The arguments of recv_into and recvfrom_into: (fd, buffer, nbytes, flags, timeout).
struct RecvArgs {
  int fd, flags;
  double timeout;
  uint8_t *data;
  size_t len;
  bool Read(const Napi::CallbackInfo &info) {
    return ArgFd(info, 0, fd) && ArgBuffer(info, 1, 2, data, len) && ArgInt(info, 3, "flags", flags) &&
           ArgTimeout(info, 4, timeout);
  }
};

// The arguments of send and sendall: (fd, data, flags, timeout).
struct SendArgs {
  int fd, flags;
  double timeout;
  uint8_t *data;
  size_t len;
  bool Read(const Napi::CallbackInfo &info) {
    return ArgFd(info, 0, fd) && ArgBytes(info, 1, "data", data, len) && ArgInt(info, 2, "flags", flags) &&
           ArgTimeout(info, 3, timeout);
  }
};

// The leading (fd, family, address) of bind, connect and connect_start.
bool ArgFdAddress(const Napi::CallbackInfo &info, const char *caller, int &fd, SockAddr &sa) {
  int family;
  return ArgFd(info, 0, fd) && ArgInt(info, 1, "family", family) &&
         getsockaddrarg(info.Env(), family, info[2], sa, caller);
}

bool IsStream(int fd) {
  int type = 0;
  socklen_t l = sizeof(type);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) == 0 && type == SOCK_STREAM;
}

// MSG_WAITALL in blocking mode. The fd is non-blocking, so the kernel hands back what has
// arrived; keep receiving until `len` bytes, end of stream, or an error, as a blocking
// fd's recv(MSG_WAITALL) would. An error after some data returns the data, as the kernel
// does.
CallStatus RecvAll(int fd, uint8_t *data, size_t len, int flags, const Deadline &deadline, ssize_t &result,
                   int &err) {
  size_t got = 0;
  while (got < len) {
    ssize_t r = 0;
    CallStatus st = sock_call_ex(
        fd, POLLIN, deadline, [&] { return recv(fd, data + got, len - got, flags); }, r, err);
    if (st != CallStatus::kOk) {
      if (got == 0) return st;
      break;
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  result = static_cast<ssize_t>(got);
  return CallStatus::kOk;
}

// ---- addresses -------------------------------------------------------------------

// bind(fd, family, address). Calls bind(2).
Napi::Value Bind(const Napi::CallbackInfo &info) {
  int fd;
  SockAddr sa;
  if (!ArgFdAddress(info, "bind", fd, sa)) return Napi::Value();
  if (bind(fd, reinterpret_cast<sockaddr *>(&sa.ss), sa.len) < 0)
    return ThrowErrno(info.Env(), errno, "bind");
  return info.Env().Undefined();
}

// listen(fd, backlog). Calls listen(2).
Napi::Value Listen(const Napi::CallbackInfo &info) {
  int fd, backlog;
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 1, "backlog", backlog)) return Napi::Value();
  if (listen(fd, backlog < 0 ? 0 : backlog) < 0) return ThrowErrno(info.Env(), errno, "listen");
  return info.Env().Undefined();
}

Napi::Value NameCall(const Napi::CallbackInfo &info, bool peer) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len = sizeof(ss);
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
  if (r < 0) return ThrowErrno(info.Env(), errno, peer ? "getpeername" : "getsockname");
  if (len == 0) {
    // Some families report nothing for an unbound socket; show the family's empty form.
    return makesockaddr(info.Env(), reinterpret_cast<sockaddr *>(&ss), sizeof(sa_family_t));
  }
  return makesockaddr(info.Env(), reinterpret_cast<sockaddr *>(&ss), len);
}

// getsockname(fd) -> address. Calls getsockname(2).
Napi::Value GetSockName(const Napi::CallbackInfo &info) {
  return NameCall(info, false);
}
// getpeername(fd) -> address. Calls getpeername(2).
Napi::Value GetPeerName(const Napi::CallbackInfo &info) {
  return NameCall(info, true);
}

// connect(fd, family, address, timeout, ex) -> undefined, or with ex = true an errno (0 = connected).
// Calls connect(2); on EINPROGRESS waits for POLLOUT within the deadline and reads SO_ERROR,
// as CPython's internal_connect. With ex, a timeout returns EWOULDBLOCK (as connect_ex does)
// and a non-blocking connect returns EINPROGRESS.
Napi::Value Connect(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  double timeout;
  SockAddr sa;
  bool ex = info[4].ToBoolean();
  if (!ArgFdAddress(info, ex ? "connect_ex" : "connect", fd, sa) || !ArgTimeout(info, 3, timeout))
    return Napi::Value();
  Deadline deadline(timeout, env);
  int err = 0;
  if (connect(fd, reinterpret_cast<sockaddr *>(&sa.ss), sa.len) < 0) {
    err = errno;
    if ((err == EINPROGRESS || err == EINTR) && !deadline.nonblocking()) {
      CallStatus st = WaitFd(fd, POLLOUT, deadline, err);
      if (st == CallStatus::kTimedOut) {
        if (ex) return Napi::Number::New(env, EWOULDBLOCK);
        return ThrowTimeout(env, "connect");
      }
      if (st == CallStatus::kOk) {
        socklen_t l = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0) err = errno;
        if (err == EISCONN) err = 0;
        // Linux marks a non-blocking connect as done only at the next connect(2). In
        // blocking mode make that call now, so a second connect() says EISCONN as a
        // blocking socket's would (CPython's timeout mode keeps the kernel's quirk).
        if (err == 0 && deadline.blocking()) connect(fd, reinterpret_cast<sockaddr *>(&sa.ss), sa.len);
      }
    }
  }
  if (ex) return Napi::Number::New(env, err);
  if (err) return ThrowErrno(env, err, "connect");
  return env.Undefined();
}

// connect(2) once: 0 or the errno.
int ConnectOnce(int fd, const SockAddr &sa) {
  return connect(fd, reinterpret_cast<const sockaddr *>(&sa.ss), sa.len) < 0 ? errno : 0;
}

// connect_start(fd, family, address) -> 0 | WOULD_BLOCK | errno: the async twin's connect
// on its non-blocking fd. On EINPROGRESS a second connect(2) follows at once: on loopback
// the handshake is usually over by then, and it says so (0 or EISCONN: connected; an
// error; EALREADY: still in progress, WOULD_BLOCK), which spares a watcher and a loop
// turn. Once the fd is writable, connect_result finishes. A failure is returned, not
// thrown: lib builds the error, naming the address in trio's words, only then.
Napi::Value ConnectStart(const Napi::CallbackInfo &info) {
  int fd;
  SockAddr sa;
  if (!ArgFdAddress(info, "connect", fd, sa)) return Napi::Value();
  int err = ConnectOnce(fd, sa);
  if (err == EINPROGRESS) {
    err = ConnectOnce(fd, sa);
    if (err == EISCONN) err = 0;
    if (err == EALREADY) err = EINPROGRESS;
  }
  return Napi::Number::New(info.Env(), err == EINPROGRESS ? kWouldBlock : err);
}

// connect_result(fd) -> errno (0: connected), once the fd of connect_start is writable:
// reads SO_ERROR, as CPython's sock_connect_impl does.
Napi::Value ConnectResult(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  int err = 0;
  socklen_t l = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0) return ThrowErrno(info.Env(), errno, "getsockopt");
  return Napi::Number::New(info.Env(), err);
}

// ---- data ------------------------------------------------------------------------

// accept_address: an AF_INET peer's port (2 bytes) and address (4 bytes), network order.
constexpr size_t kAcceptAddressBytes = 6;

// accept(fd, timeout, nonblocking) -> fd | [fd, address] | WOULD_BLOCK. Calls accept4(2);
// the new fd is CLOEXEC, and O_NONBLOCK when asked (the new socket's mode, not the
// listener's). An AF_INET peer's port and address go into accept_address (lib builds the
// pair: no array, string or sprintf here) and the result is the fd alone; any other
// family's address comes as [fd, address].
Napi::Value Accept(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  double timeout;
  if (!ArgFd(info, 0, fd) || !ArgTimeout(info, 1, timeout)) return Napi::Value();
  const int nb = info[2].ToBoolean() ? SOCK_NONBLOCK : 0;
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  ssize_t res = -1;
  int err = 0;
  CallStatus st = sock_call_ex(
      fd, POLLIN, Deadline(timeout, info.Env()),
      [&] {
        len = sizeof(ss);
        return static_cast<ssize_t>(accept4(fd, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_CLOEXEC | nb));
      },
      res, err);
  if (st != CallStatus::kOk) return StatusResult(env, st, err, "accept", res);
  TrackFd(env, static_cast<int>(res));
  uint8_t *out = env.GetInstanceData<Addon>()->acceptAddress;
  if (len >= sizeof(sockaddr_in) && ss.ss_family == AF_INET && out) {
    const auto *sin = reinterpret_cast<const sockaddr_in *>(&ss);
    memcpy(out, &sin->sin_port, 2);
    memcpy(out + 2, &sin->sin_addr, 4);
    return Napi::Number::New(env, static_cast<double>(res));
  }
  return WithAddress(env, res, ss, len);
}

// recv_into(fd, buffer, nbytes, flags, timeout) -> count | WOULD_BLOCK. Calls recv(2).
// The count is the kernel's (with MSG_TRUNC it may exceed nbytes).
Napi::Value RecvInto(const Napi::CallbackInfo &info) {
  RecvArgs a;
  if (!a.Read(info)) return Napi::Value();
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(a.timeout, a.flags, info.Env());
  // A kernel wait honours MSG_WAITALL itself; otherwise loop until the buffer is full.
  if ((a.flags & MSG_WAITALL) && call.deadline.blocking() && !call.deadline.kernel_wait() && IsStream(a.fd)) {
    CallStatus st = RecvAll(a.fd, a.data, a.len, call.flags, call.deadline, res, err);
    return StatusResult(info.Env(), st, err, "recv", res);
  }
  CallStatus st = sock_call_ex(
      a.fd, POLLIN, call.deadline, [&] { return recv(a.fd, a.data, a.len, call.flags); }, res, err);
  return StatusResult(info.Env(), st, err, "recv", res);
}

// recvfrom_into(fd, buffer, nbytes, flags, timeout) -> [count, address] | WOULD_BLOCK.
// Calls recvfrom(2). The address is null when the kernel gives none.
Napi::Value RecvFromInto(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RecvArgs a;
  if (!a.Read(info)) return Napi::Value();
  sockaddr_storage ss;
  socklen_t alen = sizeof(ss);
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(a.timeout, a.flags, env);
  CallStatus st = sock_call_ex(
      a.fd, POLLIN, call.deadline,
      [&] {
        alen = sizeof(ss);
        return recvfrom(a.fd, a.data, a.len, call.flags, reinterpret_cast<sockaddr *>(&ss), &alen);
      },
      res, err);
  if (st != CallStatus::kOk) return StatusResult(env, st, err, "recvfrom", res);
  return WithAddress(env, res, ss, alen);
}

// send(fd, data, flags, timeout) -> count | WOULD_BLOCK. Calls send(2) with MSG_NOSIGNAL.
Napi::Value Send(const Napi::CallbackInfo &info) {
  SendArgs a;
  if (!a.Read(info)) return Napi::Value();
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(a.timeout, a.flags | MSG_NOSIGNAL, info.Env());
  CallStatus st = sock_call_ex(
      a.fd, POLLOUT, call.deadline, [&] { return send(a.fd, a.data, a.len, call.flags); }, res, err);
  return StatusResult(info.Env(), st, err, "send", res);
}

// sendto(fd, data, flags, family, address, timeout) -> count | WOULD_BLOCK. Calls sendto(2).
Napi::Value SendTo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, flags, family;
  double timeout;
  uint8_t *data;
  size_t len;
  SockAddr sa;
  if (!ArgFd(info, 0, fd) || !ArgBytes(info, 1, "data", data, len) || !ArgInt(info, 2, "flags", flags) ||
      !ArgInt(info, 3, "family", family) || !getsockaddrarg(env, family, info[4], sa, "sendto") ||
      !ArgTimeout(info, 5, timeout))
    return Napi::Value();
  ssize_t res = 0;
  int err = 0;
  const MsgCall call(timeout, flags | MSG_NOSIGNAL, env);
  CallStatus st = sock_call_ex(
      fd, POLLOUT, call.deadline,
      [&] { return sendto(fd, data, len, call.flags, reinterpret_cast<sockaddr *>(&sa.ss), sa.len); }, res,
      err);
  return StatusResult(env, st, err, "sendto", res);
}

// sendall(fd, data, flags, timeout) -> undefined. Loops send(2) under one deadline for the
// whole call. A failure part-way throws with `bytes_sent` set to what did go out; in
// non-blocking mode the first EAGAIN throws BlockingIOError the same way.
Napi::Value SendAll(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  SendArgs a;
  if (!a.Read(info)) return Napi::Value();
  const MsgCall call(a.timeout, a.flags | MSG_NOSIGNAL, env);
  size_t sent = 0;
  do {
    ssize_t res = 0;
    int err = 0;
    CallStatus st = sock_call_ex(
        a.fd, POLLOUT, call.deadline, [&] { return send(a.fd, a.data + sent, a.len - sent, call.flags); },
        res, err);
    if (st != CallStatus::kOk) return ThrowStatus(env, st, err, "send", static_cast<double>(sent));
    sent += static_cast<size_t>(res);
  } while (sent < a.len);
  return env.Undefined();
}

// shutdown(fd, how). Calls shutdown(2).
Napi::Value Shutdown(const Napi::CallbackInfo &info) {
  int fd, how;
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 1, "how", how)) return Napi::Value();
  if (shutdown(fd, how) < 0) return ThrowErrno(info.Env(), errno, "shutdown");
  return info.Env().Undefined();
}

// ---- options ---------------------------------------------------------------------

// getsockopt(fd, level, optname, buflen) -> number (buflen 0) | Buffer (1..1024 bytes,
// cut to the length the kernel returns). Calls getsockopt(2).
Napi::Value GetSockOpt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, level, opt;
  int64_t buflen = 0;
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 1, "level", level) || !ArgInt(info, 2, "optname", opt) ||
      !ArgInt64(info, 3, "buflen", 0, 1024, buflen))
    return Napi::Value();
  if (buflen == 0) {
    int v = 0;
    socklen_t l = sizeof(v);
    if (getsockopt(fd, level, opt, &v, &l) < 0) return ThrowErrno(env, errno, "getsockopt");
    return Napi::Number::New(env, v);
  }
  uint8_t buf[1024];
  memset(buf, 0, sizeof(buf));
  socklen_t l = static_cast<socklen_t>(buflen);
  if (getsockopt(fd, level, opt, buf, &l) < 0) return ThrowErrno(env, errno, "getsockopt");
  if (l > buflen) l = static_cast<socklen_t>(buflen);
  return Napi::Buffer<uint8_t>::Copy(env, buf, l);
}

// setsockopt(fd, level, optname, value, optlen): value is an int32 number, a bytes-like,
// or null (with optlen, passing a NULL pointer). Calls setsockopt(2).
Napi::Value SetSockOpt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, level, opt;
  if (!ArgFd(info, 0, fd) || !ArgInt(info, 1, "level", level) || !ArgInt(info, 2, "optname", opt))
    return Napi::Value();
  Napi::Value value = info[3];
  int r;
  if (value.IsNumber()) {
    int v;
    if (!GetInt(env, value, "value", v)) return Napi::Value();
    r = setsockopt(fd, level, opt, &v, sizeof(v));
  } else if (value.IsNull()) {
    int64_t optlen;
    if (!ArgInt64(info, 4, "optlen", 0, UINT32_MAX, optlen)) return Napi::Value();
    r = setsockopt(fd, level, opt, nullptr, static_cast<socklen_t>(optlen));
  } else {
    uint8_t *data;
    size_t len;
    if (!GetBytes(env, value, "value", data, len)) return Napi::Value();
    if (len > UINT32_MAX) return ThrowRange(env, "setsockopt value too long");
    r = setsockopt(fd, level, opt, data, static_cast<socklen_t>(len));
  }
  if (r < 0) return ThrowErrno(env, errno, "setsockopt");
  return env.Undefined();
}

// ---- misc ------------------------------------------------------------------------

// wait(fd, writable, timeout) -> true when ready, false on timeout. poll(2) with EINTR retried.
Napi::Value Wait(const Napi::CallbackInfo &info) {
  int fd;
  double timeout;
  if (!ArgFd(info, 0, fd) || !ArgTimeout(info, 2, timeout)) return Napi::Value();
  int err = 0;
  CallStatus st = WaitFd(fd, info[1].ToBoolean() ? POLLOUT : POLLIN, Deadline(timeout, info.Env()), err);
  if (st == CallStatus::kError) return ThrowErrno(info.Env(), err, "poll");
  return Napi::Boolean::New(info.Env(), st == CallStatus::kOk);
}

// strerror(errno) -> the C library's message.
Napi::Value StrError(const Napi::CallbackInfo &info) {
  int e;
  if (!ArgInt(info, 0, "errno", e)) return Napi::Value();
  return Napi::String::New(info.Env(), strerror(e));
}

}  // namespace

void InitSyscalls(Napi::Env env, Napi::Object exports, Addon &addon) {
  // Raw N-API with its status checked, not node-addon-api's throwing wrappers: in a worker
  // terminated while it loads the addon these calls fail, and a failed throw would be
  // fatal there. Without the buffer accept returns [fd, address] for every family.
  void *data = nullptr;
  napi_value ab, view;
  napi_ref ref;
  if (napi_create_arraybuffer(env, kAcceptAddressBytes, &data, &ab) == napi_ok &&
      napi_create_typedarray(env, napi_uint8_array, kAcceptAddressBytes, ab, 0, &view) == napi_ok &&
      napi_set_named_property(env, exports, "accept_address", view) == napi_ok &&
      napi_create_reference(env, ab, 1, &ref) == napi_ok) {
    addon.acceptAddressRef = Napi::Reference<Napi::ArrayBuffer>(env, ref);
    addon.acceptAddress = static_cast<uint8_t *>(data);
  }
  SetFunctions(env, exports,
               {
                   {"bind", Bind},
                   {"listen", Listen},
                   {"getsockname", GetSockName},
                   {"getpeername", GetPeerName},
                   {"connect", Connect},
                   {"connect_start", ConnectStart},
                   {"connect_result", ConnectResult},
                   {"accept", Accept},
                   {"recv_into", RecvInto},
                   {"recvfrom_into", RecvFromInto},
                   {"send", Send},
                   {"sendto", SendTo},
                   {"sendall", SendAll},
                   {"shutdown", Shutdown},
                   {"getsockopt", GetSockOpt},
                   {"setsockopt", SetSockOpt},
                   {"wait", Wait},
                   {"strerror", StrError},
               });
  exports.Set("WOULD_BLOCK", Napi::Number::New(env, kWouldBlock));
}

}  // namespace bsdsock

// Creating, adopting and closing socket fds, and their O_NONBLOCK / FD_CLOEXEC flags.
//
// Every fd made or adopted here is tracked (watcher.h) so a worker's teardown closes it.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "watcher.h"

namespace bsdsock {

namespace {

// Sets or clears O_NONBLOCK on the open file description (one fcntl when it already
// matches). Returns false with errno set on failure.
bool SetNonblocking(int fd, bool nonblocking) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return false;
  int nfl = nonblocking ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  return nfl == fl || fcntl(fd, F_SETFL, nfl) == 0;
}

// socket(family, type, proto) -> fd. Calls socket(2); the fd is always CLOEXEC, and
// O_NONBLOCK when lib/ puts SOCK_NONBLOCK in type (see fdNonblocking in lib/native.ts).
Napi::Value Socket(const Napi::CallbackInfo &info) {
  int family, type, proto;
  if (!ArgInt(info, 0, "family", family) || !ArgInt(info, 1, "type", type) ||
      !ArgInt(info, 2, "proto", proto))
    return Napi::Value();
  int fd = socket(family, type | SOCK_CLOEXEC, proto);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "socket");
  TrackFd(info.Env(), fd);
  return Napi::Number::New(info.Env(), fd);
}

// socketpair(family, type, proto) -> [fd, fd]. Calls socketpair(2).
Napi::Value SocketPair(const Napi::CallbackInfo &info) {
  int family, type, proto;
  if (!ArgInt(info, 0, "family", family) || !ArgInt(info, 1, "type", type) ||
      !ArgInt(info, 2, "proto", proto))
    return Napi::Value();
  int sv[2];
  if (socketpair(family, type | SOCK_CLOEXEC, proto, sv) < 0)
    return ThrowErrno(info.Env(), errno, "socketpair");
  TrackFd(info.Env(), sv[0]);
  TrackFd(info.Env(), sv[1]);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), sv[0]));
  a.Set(1u, Napi::Number::New(info.Env(), sv[1]));
  return a;
}

// adopt(fd, nonblocking) -> [family, type, proto]. Checks that fd is a socket (fstat),
// reads SO_DOMAIN / SO_TYPE / SO_PROTOCOL, and with `nonblocking` sets O_NONBLOCK on the
// open file description. It never clears it, as CPython: the fd may be shared with an
// event loop (a libuv handle) that needs it. Blocking calls still wait on such an fd.
Napi::Value Adopt(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  struct stat st;
  if (fstat(fd, &st) < 0) return ThrowErrno(env, errno, "fstat");
  if (!S_ISSOCK(st.st_mode)) return ThrowErrno(env, ENOTSOCK, "getsockopt");
  int vals[3];
  const int opts[3] = {SO_DOMAIN, SO_TYPE, SO_PROTOCOL};
  for (int i = 0; i < 3; i++) {
    socklen_t l = sizeof(int);
    if (getsockopt(fd, SOL_SOCKET, opts[i], &vals[i], &l) < 0) return ThrowErrno(env, errno, "getsockopt");
  }
  if (info[1].ToBoolean() && !SetNonblocking(fd, true)) return ThrowErrno(env, errno, "fcntl");
  TrackFd(env, fd);
  Napi::Array a = Napi::Array::New(env, 3);
  for (uint32_t i = 0; i < 3; i++) a.Set(i, Napi::Number::New(env, vals[i]));
  return a;
}

// close(fd). Calls close(2) once: EINTR is not retried (Linux has released the fd),
// and ECONNRESET is ignored, as CPython does.
Napi::Value Close(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  UntrackFd(info.Env(), fd);
  if (close(fd) < 0 && errno != ECONNRESET && errno != EINTR) return ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

// dup(fd) -> fd. fcntl(F_DUPFD_CLOEXEC): the copy is non-inheritable, as Python's.
Napi::Value Dup(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (nfd < 0) return ThrowErrno(info.Env(), errno, "dup");
  TrackFd(info.Env(), nfd);
  return Napi::Number::New(info.Env(), nfd);
}

// set_blocking(fd, blocking): clears or sets O_NONBLOCK (settimeout/setblocking).
Napi::Value SetBlocking(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  if (!SetNonblocking(fd, !info[1].ToBoolean())) return ThrowErrno(info.Env(), errno, "fcntl");
  return info.Env().Undefined();
}

// get_inheritable(fd) -> boolean (FD_CLOEXEC clear).
Napi::Value GetInheritable(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0) return ThrowErrno(info.Env(), errno, "fcntl");
  return Napi::Boolean::New(info.Env(), !(fl & FD_CLOEXEC));
}

// set_inheritable(fd, inheritable).
Napi::Value SetInheritable(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  bool inh = info[1].ToBoolean();
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0) return ThrowErrno(info.Env(), errno, "fcntl");
  int nfl = inh ? (fl & ~FD_CLOEXEC) : (fl | FD_CLOEXEC);
  if (nfl != fl && fcntl(fd, F_SETFD, nfl) < 0) return ThrowErrno(info.Env(), errno, "fcntl");
  return info.Env().Undefined();
}

}  // namespace

void InitFds(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"socket", Socket},
                   {"socketpair", SocketPair},
                   {"adopt", Adopt},
                   {"set_blocking", SetBlocking},
                   {"close", Close},
                   {"dup", Dup},
                   {"get_inheritable", GetInheritable},
                   {"set_inheritable", SetInheritable},
               });
}

}  // namespace bsdsock

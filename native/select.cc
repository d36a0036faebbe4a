// Python's select module on Linux: select(2), poll(2) and epoll(7), for lib/select.ts.
//
// lib/ does Python's argument checks and keeps the registrations (poll objects) or the
// epoll fd; these wrappers take plain fds and a timeout in seconds (< 0 = wait forever,
// 0 = don't wait), as the socket calls do. A wait is one crossing into native code: the
// loop below retries EINTR with what is left of the deadline (PEP 475), and on a worker
// thread sleeps in slices so that worker.terminate() can end it (see sock_call.h).
#include <sys/epoll.h>
#include <limits.h>
#include <poll.h>
#include <sys/select.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "select.h"

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sock_call.h"
#include "watcher.h"

namespace bsdsock {

namespace {

// The longest a worker sleeps before asking whether its environment is stopping
// (the same slice as the socket calls' WaitFd).
constexpr int kSelectSliceMs = 250;

enum class WaitResult { kReady, kTimedOut, kError };

// Calls `wait(ms)`, a syscall that sleeps at most `ms` milliseconds (-1 = forever) and
// returns the number of ready fds, until something is ready or the deadline passes.
template <typename F>
WaitResult WaitLoop(const Deadline &deadline, F &&wait, int &ready, int &err) {
  for (;;) {
    int ms = deadline.RemainingMs();
    bool sliced = false;
    if (deadline.env() && (ms < 0 || ms > kSelectSliceMs)) {
      ms = kSelectSliceMs;
      sliced = true;
    }
    int r = wait(ms);
    if (r > 0) {
      ready = r;
      return WaitResult::kReady;
    }
    if (r < 0) {
      if (errno != EINTR) {
        err = errno;
        return WaitResult::kError;
      }
      continue;  // PEP 475: again, with what is left of the deadline
    }
    if (sliced) {
      if (EnvStopping(deadline.env())) {
        err = EINTR;
        return WaitResult::kError;
      }
      continue;  // RemainingMs() decides whether the deadline has passed
    }
    if (deadline.blocking()) continue;
    return WaitResult::kTimedOut;
  }
}

Napi::Value WaitError(Napi::Env env, int err, const char *syscall) {
  return ThrowErrno(env, err, syscall);
}

// An Int32Array argument (the fd lists lib/ builds).
bool ArgInt32Array(const Napi::CallbackInfo &info, size_t i, int32_t *&data, size_t &len) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowType(info.Env(), "expected an Int32Array");
    return false;
  }
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  data = a.Data();
  len = a.ElementLength();
  return true;
}

// select(rfds, wfds, xfds, timeout) -> number of ready entries. Calls select(2). Each list
// is an Int32Array of fds; entries that are not ready are overwritten with -1.
Napi::Value Select(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int32_t *lists[3];
  size_t lens[3];
  for (size_t k = 0; k < 3; k++)
    if (!ArgInt32Array(info, k, lists[k], lens[k])) return Napi::Value();
  double timeout;
  if (!ArgTimeout(info, 3, timeout)) return Napi::Value();
  int maxfd = -1;
  for (size_t k = 0; k < 3; k++) {
    for (size_t j = 0; j < lens[k]; j++) {
      int fd = lists[k][j];
      if (fd < 0) return ThrowRange(env, "file descriptor cannot be a negative integer");
      if (fd >= FD_SETSIZE) return ThrowRange(env, "filedescriptor out of range in select()");
      if (fd > maxfd) maxfd = fd;
    }
  }
  fd_set sets[3];
  Deadline deadline(timeout, env);
  int ready = 0, err = 0;
  WaitResult w = WaitLoop(
      deadline,
      [&](int ms) {
        for (size_t k = 0; k < 3; k++) {
          FD_ZERO(&sets[k]);
          for (size_t j = 0; j < lens[k]; j++) FD_SET(lists[k][j], &sets[k]);
        }
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        return select(maxfd + 1, &sets[0], &sets[1], &sets[2], ms < 0 ? nullptr : &tv);
      },
      ready, err);
  if (w == WaitResult::kError) return WaitError(env, err, "select");
  int count = 0;
  for (size_t k = 0; k < 3; k++) {
    for (size_t j = 0; j < lens[k]; j++) {
      if (w == WaitResult::kReady && FD_ISSET(lists[k][j], &sets[k])) {
        count++;
      } else {
        lists[k][j] = -1;
      }
    }
  }
  return Napi::Number::New(env, count);
}

// poll(table, timeout) -> [fd, revents][]. Calls poll(2). `table` is an Int32Array of
// [fd, events] pairs; the result lists the entries whose revents are not 0, in order.
Napi::Value Poll(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int32_t *table;
  size_t len;
  if (!ArgInt32Array(info, 0, table, len)) return Napi::Value();
  double timeout;
  if (!ArgTimeout(info, 1, timeout)) return Napi::Value();
  size_t n = len / 2;
  pollfd *fds = n ? static_cast<pollfd *>(calloc(n, sizeof(pollfd))) : nullptr;
  if (n && !fds) return ThrowErrno(env, ENOMEM, "poll");
  for (size_t j = 0; j < n; j++) {
    fds[j].fd = table[2 * j];
    fds[j].events = static_cast<short>(table[2 * j + 1]);
  }
  Deadline deadline(timeout, env);
  int ready = 0, err = 0;
  WaitResult w = WaitLoop(
      deadline, [&](int ms) { return poll(fds, n, ms); }, ready, err);
  if (w == WaitResult::kError) {
    free(fds);
    return WaitError(env, err, "poll");
  }
  Napi::Array out = Napi::Array::New(env, w == WaitResult::kReady ? ready : 0);
  uint32_t k = 0;
  for (size_t j = 0; w == WaitResult::kReady && j < n && k < static_cast<uint32_t>(ready); j++) {
    if (!fds[j].revents) continue;
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, fds[j].fd));
    pair.Set(1u, Napi::Number::New(env, static_cast<uint16_t>(fds[j].revents)));
    out.Set(k++, pair);
  }
  free(fds);
  return out;
}

// epoll_create() -> fd. Calls epoll_create1(EPOLL_CLOEXEC); the fd is owned by bsdsock
// (closed with the environment, like a socket's) until lib/ closes it.
Napi::Value EpollCreate(const Napi::CallbackInfo &info) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "epoll_create1");
  TrackFd(info.Env(), fd);
  return Napi::Number::New(info.Env(), fd);
}

// epoll_adopt(fd) -> fd: epoll.fromfd() takes ownership of an existing fd.
Napi::Value EpollAdopt(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  TrackFd(info.Env(), fd);
  return Napi::Number::New(info.Env(), fd);
}

// epoll_ctl(epfd, op, fd, events). Calls epoll_ctl(2) with data.fd = fd.
Napi::Value EpollCtl(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int epfd, op, fd;
  int64_t events;
  if (!ArgFd(info, 0, epfd) || !ArgInt(info, 1, "op", op) || !ArgFd(info, 2, fd) ||
      !ArgInt64(info, 3, "eventmask", 0, UINT32_MAX, events))
    return Napi::Value();
  epoll_event ev{};
  ev.events = static_cast<uint32_t>(events);
  ev.data.fd = fd;
  if (epoll_ctl(epfd, op, fd, op == EPOLL_CTL_DEL ? nullptr : &ev) < 0)
    return ThrowErrno(env, errno, "epoll_ctl");
  return env.Undefined();
}

// epoll_wait(epfd, maxevents, timeout) -> [fd, events][]. Calls epoll_wait(2).
Napi::Value EpollWait(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int epfd, maxevents;
  double timeout;
  if (!ArgFd(info, 0, epfd) || !ArgInt(info, 1, "maxevents", maxevents) || !ArgTimeout(info, 2, timeout))
    return Napi::Value();
  if (maxevents < 1) return ThrowRange(env, "maxevents must be greater than 0");
  epoll_event *evs = static_cast<epoll_event *>(malloc(sizeof(epoll_event) * static_cast<size_t>(maxevents)));
  if (!evs) return ThrowErrno(env, ENOMEM, "epoll_wait");
  Deadline deadline(timeout, env);
  int ready = 0, err = 0;
  WaitResult w = WaitLoop(
      deadline, [&](int ms) { return epoll_wait(epfd, evs, maxevents, ms); }, ready, err);
  if (w == WaitResult::kError) {
    free(evs);
    return WaitError(env, err, "epoll_wait");
  }
  int n = w == WaitResult::kReady ? ready : 0;
  Napi::Array out = Napi::Array::New(env, n);
  for (int j = 0; j < n; j++) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, evs[j].data.fd));
    pair.Set(1u, Napi::Number::New(env, evs[j].events));
    out.Set(static_cast<uint32_t>(j), pair);
  }
  free(evs);
  return out;
}

}  // namespace

void InitSelect(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"select", Select},
                   {"poll", Poll},
                   {"epoll_create", EpollCreate},
                   {"epoll_adopt", EpollAdopt},
                   {"epoll_ctl", EpollCtl},
                   {"epoll_wait", EpollWait},
               });
  exports.Set("FD_SETSIZE", Napi::Number::New(env, FD_SETSIZE));
  // The constants of Python's select module on Linux, from the C headers.
  Napi::Object c = Napi::Object::New(env);
#define SELECT_CONSTANT(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  SELECT_CONSTANT(POLLIN);
  SELECT_CONSTANT(POLLPRI);
  SELECT_CONSTANT(POLLOUT);
  SELECT_CONSTANT(POLLERR);
  SELECT_CONSTANT(POLLHUP);
  SELECT_CONSTANT(POLLNVAL);
  SELECT_CONSTANT(POLLRDNORM);
  SELECT_CONSTANT(POLLRDBAND);
  SELECT_CONSTANT(POLLWRNORM);
  SELECT_CONSTANT(POLLWRBAND);
  SELECT_CONSTANT(POLLMSG);
  SELECT_CONSTANT(POLLRDHUP);
  SELECT_CONSTANT(EPOLLIN);
  SELECT_CONSTANT(EPOLLOUT);
  SELECT_CONSTANT(EPOLLPRI);
  SELECT_CONSTANT(EPOLLERR);
  SELECT_CONSTANT(EPOLLHUP);
  SELECT_CONSTANT(EPOLLET);
  SELECT_CONSTANT(EPOLLONESHOT);
  SELECT_CONSTANT(EPOLLEXCLUSIVE);
  SELECT_CONSTANT(EPOLLRDHUP);
  SELECT_CONSTANT(EPOLLRDNORM);
  SELECT_CONSTANT(EPOLLRDBAND);
  SELECT_CONSTANT(EPOLLWRNORM);
  SELECT_CONSTANT(EPOLLWRBAND);
  SELECT_CONSTANT(EPOLLMSG);
  SELECT_CONSTANT(EPOLL_CLOEXEC);
  SELECT_CONSTANT(PIPE_BUF);
  SELECT_CONSTANT(EPOLL_CTL_ADD);
  SELECT_CONSTANT(EPOLL_CTL_MOD);
  SELECT_CONSTANT(EPOLL_CTL_DEL);
#undef SELECT_CONSTANT
  exports.Set("select_constants", c);
}

}  // namespace bsdsock

// The blocking loop: a port of CPython's sock_call_ex() for fds that are always O_NONBLOCK.
//
// Every socket fd that bsdsock owns is non-blocking. A call in blocking mode
// (timeout < 0) or with a timeout (> 0) first tries the syscall; on EAGAIN it
// poll(2)s the fd with what is left of one deadline and tries again, so the fast
// path (data ready) is a single syscall. EINTR is retried (PEP 475), and so is a
// spurious wake-up. Timeout 0 never polls. This runs on the calling JS thread and
// never touches JS values, except that a long wait polls in slices and asks the
// environment whether it is being torn down (a worker being terminated): a blocked
// call then returns EINTR instead of hanging the worker forever.
#pragma once

#include <node_api.h>
#include <poll.h>
#include <sys/types.h>

#include <cerrno>

namespace bsdsock {

enum class CallStatus { kOk, kError, kWouldBlock, kTimedOut };

// A deadline fixed when the call starts; timeout in seconds, < 0 = none, 0 = don't wait.
class Deadline {
 public:
  Deadline(double timeout, napi_env env);
  bool blocking() const { return timeout_ < 0; }
  napi_env env() const { return env_; }
  bool nonblocking() const { return timeout_ == 0; }
  // Milliseconds left for poll(2), rounded up: -1 = wait forever, 0 = expired.
  int RemainingMs() const;

 private:
  double timeout_;
  double end_;  // CLOCK_MONOTONIC seconds
  napi_env env_;
};

// True once the environment can no longer run JavaScript (worker.terminate(), exit).
bool EnvStopping(napi_env env);

// Waits until `fd` is ready for `events` or the deadline passes.
// Returns kOk, kTimedOut, or kError with `err` set. EINTR is retried.
CallStatus WaitFd(int fd, short events, const Deadline& deadline, int& err);

// Runs `fn` (a syscall returning -1 and errno on failure) under `deadline`.
// On kOk `result` holds its return value; on kError `err` holds errno.
template <typename F>
CallStatus SockCall(int fd, short events, const Deadline& deadline, F&& fn, ssize_t& result, int& err) {
  for (;;) {
    ssize_t r = fn();
    if (r >= 0) {
      result = r;
      return CallStatus::kOk;
    }
    int e = errno;
    if (e == EINTR) continue;
    if (e != EAGAIN && e != EWOULDBLOCK) {
      err = e;
      return CallStatus::kError;
    }
    if (deadline.nonblocking()) return CallStatus::kWouldBlock;
    CallStatus w = WaitFd(fd, events, deadline, err);
    if (w != CallStatus::kOk) return w;
  }
}

}  // namespace bsdsock

// The blocking loop: a port of CPython's sock_call_ex().
//
// As in CPython, a socket in blocking mode on the main thread has a blocking fd: a call
// that must wait sleeps inside its own syscall (one syscall, no poll). Every other call
// must not sleep in the kernel: timeout 0 (non-blocking mode and the whole async layer),
// a timeout > 0, and any call on a worker thread. Those fds are O_NONBLOCK (lib/socket.ts
// keeps the flag in step with the mode) and the recv/send family also passes MSG_DONTWAIT
// (Deadline::dontwait()), so they cannot sleep even on an fd whose open file description
// another socket object made blocking. Such a call tries the syscall first; on EAGAIN it
// poll(2)s with what is left of one deadline and tries again, so the fast path (data
// ready) is a single syscall. EINTR is retried (PEP 475), and so is a spurious wake-up.
// In a kernel wait, EAGAIN means SO_RCVTIMEO/SO_SNDTIMEO ran out and is an error, as in
// CPython, unless the fd turns out to be O_NONBLOCK after all (then it polls).
// Timeout 0 never polls. This runs on the calling JS thread and never touches JS values,
// except that on a worker thread a long wait polls in slices and asks the environment
// whether it is being torn down (worker.terminate()): the call then returns EINTR instead
// of hanging the worker forever. That is why a worker never sleeps inside a syscall.
#pragma once

#include <node_api.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>

namespace bsdsock {

// True on the thread of the process's main JS environment (set by init(); see Deadline).
bool OnMainThread();
void SetMainThread(bool main);

enum class CallStatus { kOk, kError, kWouldBlock, kTimedOut };

// A deadline fixed when the call starts; timeout in seconds, < 0 = none, 0 = don't wait.
// `env` is kept only off the main thread, where it makes long waits poll in slices.
class Deadline {
 public:
  Deadline(double timeout, napi_env env);
  bool blocking() const { return timeout_ < 0; }
  napi_env env() const { return env_; }
  bool nonblocking() const { return timeout_ == 0; }
  // True when the call may sleep inside its syscall (blocking mode on the main thread).
  bool kernel_wait() const { return kernel_; }
  // The flag that keeps a recv/send-family call from sleeping in the kernel, or 0.
  int dontwait() const { return kernel_ ? 0 : MSG_DONTWAIT; }
  // Milliseconds left for poll(2), rounded up: -1 = wait forever, 0 = expired.
  int RemainingMs() const;

 private:
  double timeout_;
  double end_;  // CLOCK_MONOTONIC seconds
  napi_env env_;
  bool kernel_;
};

// The deadline and the syscall flags of a send/recv-family call made with `flags`.
// MSG_DONTWAIT there makes the timeout 0 (the caller asked not to wait, whatever the
// socket's mode); `flags` adds MSG_DONTWAIT wherever the call must not sleep in the kernel.
struct MsgCall {
  MsgCall(double timeout, int msgflags, napi_env env)
      : deadline((msgflags & MSG_DONTWAIT) ? 0 : timeout, env), flags(msgflags | deadline.dontwait()) {}
  const Deadline deadline;
  const int flags;  // what to pass to the syscall
};

// True once the environment can no longer run JavaScript (worker.terminate(), exit).
bool EnvStopping(napi_env env);

// Whether the open file description of `fd` is O_NONBLOCK (false if fcntl fails).
bool FdNonblocking(int fd);

// Waits until `fd` is ready for `events` or the deadline passes.
// Returns kOk, kTimedOut, or kError with `err` set. EINTR is retried.
CallStatus WaitFd(int fd, short events, const Deadline &deadline, int &err);

// Runs `fn` (a syscall returning -1 and errno on failure) under `deadline`.
// On kOk `result` holds its return value; on kError `err` holds errno.
template <typename F>
CallStatus sock_call_ex(int fd, short events, const Deadline &deadline, F &&fn, ssize_t &result, int &err) {
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
    // A blocking fd only says EAGAIN when SO_RCVTIMEO/SO_SNDTIMEO ran out: report it as
    // CPython does (BlockingIOError). An O_NONBLOCK fd here means another socket object
    // changed the shared open file description: wait as the mode asks.
    if (deadline.kernel_wait() && !FdNonblocking(fd)) {
      err = e;
      return CallStatus::kError;
    }
    CallStatus w = WaitFd(fd, events, deadline, err);
    if (w != CallStatus::kOk) return w;
  }
}

}  // namespace bsdsock

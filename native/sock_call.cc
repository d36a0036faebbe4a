// Deadline and readiness wait behind sock_call_ex (see sock_call.h).
#include "sock_call.h"

#include <fcntl.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <ctime>

namespace bsdsock {

namespace {

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

thread_local bool t_main_thread = false;

}  // namespace

bool FdNonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && (fl & O_NONBLOCK);
}

bool OnMainThread() {
  return t_main_thread;
}
void SetMainThread(bool main) {
  t_main_thread = main;
}

Deadline::Deadline(double timeout, napi_env env)
    : timeout_(timeout),
      end_(timeout > 0 ? Now() + timeout : 0),
      env_(t_main_thread ? nullptr : env),
      kernel_(timeout < 0 && t_main_thread) {}

int Deadline::RemainingMs() const {
  if (timeout_ < 0) return -1;
  if (timeout_ == 0) return 0;
  double left = end_ - Now();
  if (left <= 0) return 0;
  double ms = std::ceil(left * 1000.0);
  return ms >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(ms);
}

// How long one poll(2) may block before checking that the environment is still alive.
constexpr int kSliceMs = 250;

CallStatus WaitFd(int fd, short events, const Deadline &deadline, int &err) {
  for (;;) {
    int ms = deadline.RemainingMs();
    // Timeout 0 polls once without waiting (is_readable); an expired deadline does not.
    if (ms == 0 && !deadline.nonblocking()) return CallStatus::kTimedOut;
    bool sliced = false;
    if (deadline.env() && (ms < 0 || ms > kSliceMs)) {
      ms = kSliceMs;
      sliced = true;
    }
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, ms);
    if (r > 0) {
      if (p.revents & POLLNVAL) {
        err = EBADF;
        return CallStatus::kError;
      }
      // POLLERR/POLLHUP: let the syscall report what happened.
      return CallStatus::kOk;
    }
    if (r == 0) {
      if (sliced) {
        if (EnvStopping(deadline.env())) {
          err = EINTR;
          return CallStatus::kError;
        }
        continue;  // RemainingMs() decides whether the deadline has passed
      }
      // Only a finite wait gets here (poll with -1 never returns 0): timeout 0 polled once,
      // or the deadline passed.
      return CallStatus::kTimedOut;
    }
    if (errno == EINTR) continue;
    err = errno;
    return CallStatus::kError;
  }
}

}  // namespace bsdsock

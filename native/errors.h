// Raising errors from native code: the one seam every failure of native/ goes through.
//
// Convention (kept everywhere in native/): an OS failure is thrown as the
// OSError subclass that lib/errors.ts builds for that errno; a would-block in
// non-blocking mode is *returned* as kWouldBlock (never thrown, so the async
// path pays no stack trace per EAGAIN); argument errors are TypeError/RangeError.
// Every Throw* helper returns an empty Napi::Value so callers can
// `return ThrowErrno(...)`. An OSError is built by the factory lib/errors.ts handed to
// init() with the message native already has (strerror(3) here, as CPython's set_error),
// so building one never calls back into native code.
#pragma once

#include <napi.h>

#include "sock_call.h"

namespace bsdsock {

// Returned by an I/O call that would block when its timeout is 0.
constexpr int kWouldBlock = -11;  // -EAGAIN

// New* build the error object without throwing (for promise rejections).
Napi::Value NewErrno(Napi::Env env, int err, const char *syscall, double bytesSent = -1);
Napi::Value NewTimeout(Napi::Env env, const char *syscall, double bytesSent = -1);
Napi::Value NewGaiError(Napi::Env env, int code, int savedErrno, const char *syscall = "getaddrinfo");

Napi::Value ThrowErrno(Napi::Env env, int err, const char *syscall, double bytesSent = -1);
// An OSError with the message given instead of strerror(err) (the part after "[Errno N] "),
// for an error that names its context (async connect: "Error connecting to ...").
Napi::Value ThrowErrnoText(Napi::Env env, int err, const std::string &text, const char *syscall);
Napi::Value ThrowTimeout(Napi::Env env, const char *syscall, double bytesSent = -1);
Napi::Value ThrowGaiError(Napi::Env env, int code, int savedErrno, const char *syscall = "getaddrinfo");
Napi::Value ThrowHError(Napi::Env env, int code);
Napi::Value ThrowType(Napi::Env env, const std::string &msg);
Napi::Value ThrowRange(Napi::Env env, const std::string &msg);

// Throws what a failed call status stands for: kError the OSError of `err`, kTimedOut
// TimeoutError, kWouldBlock BlockingIOError (EAGAIN, for calls that must not return
// WOULD_BLOCK, such as sendall). `bytesSent` >= 0 is recorded on the error.
Napi::Value ThrowStatus(Napi::Env env, CallStatus st, int err, const char *syscall, double bytesSent = -1);

// The JS result of an I/O call that returns a count: `result` on kOk, WOULD_BLOCK on
// kWouldBlock, else it throws (ThrowStatus). A call with a richer result returns
// StatusResult(...) when st != kOk and builds its own value otherwise.
Napi::Value StatusResult(Napi::Env env, CallStatus st, int err, const char *syscall, ssize_t result = 0);

}  // namespace bsdsock

// Raising errors from native code.
//
// Convention (kept everywhere in native/): an OS failure is thrown as the
// OSError subclass that lib/errors.ts builds for that errno; a would-block in
// non-blocking mode is *returned* as kWouldBlock (never thrown, so the async
// path pays no stack trace per EAGAIN); argument errors are TypeError/RangeError.
// Every Throw* helper returns an empty Napi::Value so callers can
// `return ThrowErrno(...)`.
#pragma once

#include <napi.h>

namespace bsdsock {

// Returned by an I/O call that would block when its timeout is 0.
constexpr int kWouldBlock = -11;  // -EAGAIN

// New* build the error object without throwing (for promise rejections).
Napi::Value NewErrno(Napi::Env env, int err, const char *syscall, double bytesSent = -1);
Napi::Value NewTimeout(Napi::Env env, const char *syscall, double bytesSent = -1);
Napi::Value NewGaiError(Napi::Env env, int code, int savedErrno, const char *syscall = "getaddrinfo");

Napi::Value ThrowErrno(Napi::Env env, int err, const char *syscall, double bytesSent = -1);
Napi::Value ThrowTimeout(Napi::Env env, const char *syscall, double bytesSent = -1);
Napi::Value ThrowGaiError(Napi::Env env, int code, int savedErrno, const char *syscall = "getaddrinfo");
Napi::Value ThrowHError(Napi::Env env, int code);
Napi::Value ThrowType(Napi::Env env, const std::string &msg);
Napi::Value ThrowRange(Napi::Env env, const std::string &msg);

}  // namespace bsdsock

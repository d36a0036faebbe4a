// Argument conversion for every native function: JS values to ints, fds, timeouts, bytes, strings.
//
// One rule for all of native/: a function reads argument i of its call with Arg*(info, i, ...)
// and a value nested inside one (an array element) with Get*(env, value, ...). Each returns
// false with a TypeError/RangeError pending when the value is wrong, so callers chain them:
//   if (!ArgFd(info, 0, fd) || !ArgInt(info, 1, "flags", flags)) return Napi::Value();
// They are on every call's path: a valid argument costs one N-API call (see args.cc).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace bsdsock {

// ---- nested values -------------------------------------------------------------------

// An integer in [min, max]: TypeError if `v` is not an integral number, RangeError if out of range.
bool GetInt64(Napi::Env env, Napi::Value v, const char *what, int64_t min, int64_t max, int64_t &out);
// An int32.
bool GetInt(Napi::Env env, Napi::Value v, const char *what, int &out);
// A file descriptor (0..INT_MAX).
bool GetFd(Napi::Env env, Napi::Value v, int &fd);
// A timeout in seconds: undefined/null = -1 (blocking); NaN is a RangeError.
bool GetTimeout(Napi::Env env, Napi::Value v, double &out);
// Points `data`/`len` at the bytes of a Buffer / TypedArray / DataView / ArrayBuffer.
bool GetBytes(Napi::Env env, Napi::Value v, const char *what, uint8_t *&data, size_t &len);
// A string without an embedded NUL (RangeError "embedded null character", as Python).
bool GetString(Napi::Env env, Napi::Value v, const char *what, std::string &out);

// ---- arguments -------------------------------------------------------------------------

inline bool ArgInt64(const Napi::CallbackInfo &info, size_t i, const char *what, int64_t min, int64_t max,
                     int64_t &out) {
  return GetInt64(info.Env(), info[i], what, min, max, out);
}
inline bool ArgInt(const Napi::CallbackInfo &info, size_t i, const char *what, int &out) {
  return GetInt(info.Env(), info[i], what, out);
}
inline bool ArgFd(const Napi::CallbackInfo &info, size_t i, int &fd) {
  return GetFd(info.Env(), info[i], fd);
}
inline bool ArgTimeout(const Napi::CallbackInfo &info, size_t i, double &out) {
  return GetTimeout(info.Env(), info[i], out);
}
inline bool ArgBytes(const Napi::CallbackInfo &info, size_t i, const char *what, uint8_t *&data,
                     size_t &len) {
  return GetBytes(info.Env(), info[i], what, data, len);
}
inline bool ArgString(const Napi::CallbackInfo &info, size_t i, const char *what, std::string &out) {
  return GetString(info.Env(), info[i], what, out);
}
// An optional string: null/undefined sets `has` to false.
bool ArgOptString(const Napi::CallbackInfo &info, size_t i, const char *what, std::string &out, bool &has);

// A writable byte range at argument i of at most argument `nbytesArg` bytes (0 or missing =
// the whole view; more than the view is a RangeError).
bool ArgBuffer(const Napi::CallbackInfo &info, size_t i, size_t nbytesArg, uint8_t *&data, size_t &len);

}  // namespace bsdsock

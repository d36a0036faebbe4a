// Argument conversion (see args.h): one N-API call per valid argument.
#include "args.h"

#include <climits>
#include <cmath>
#include <cstring>

#include "errors.h"

namespace bsdsock {

// The argument helpers are on every call's path, so each makes one N-API call when the
// argument is valid (no napi_typeof first): napi_get_value_double fails with
// napi_number_expected, without a pending exception, for anything but a number.
bool GetInt64(Napi::Env env, Napi::Value v, const char *what, int64_t min, int64_t max, int64_t &out) {
  double d;
  bool number = napi_get_value_double(env, v, &d) == napi_ok;
  // Fast path: in range (false for NaN) and below 2^63, so the cast is defined; integral
  // if it round-trips. (double(INT64_MAX) rounds up to 2^63, hence the second bound.)
  if (number && d >= static_cast<double>(min) && d <= static_cast<double>(max) && d < 0x1p63) {
    int64_t i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d) {
      out = i;
      return true;
    }
  }
  if (!number || std::isnan(d) || std::trunc(d) != d) {
    ThrowType(env, std::string(what) + " must be an integer");
    return false;
  }
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowRange(env, std::string(what) + " out of range");
    return false;
  }
  out = d >= 0x1p63 ? max : static_cast<int64_t>(d);  // only max == INT64_MAX lets 2^63 through
  return true;
}

bool GetInt(Napi::Env env, Napi::Value v, const char *what, int &out) {
  int64_t x;
  if (!GetInt64(env, v, what, INT32_MIN, INT32_MAX, x)) return false;
  out = static_cast<int>(x);
  return true;
}

bool GetFd(Napi::Env env, Napi::Value v, int &fd) {
  int64_t x;
  if (!GetInt64(env, v, "file descriptor", 0, INT_MAX, x)) return false;
  fd = static_cast<int>(x);
  return true;
}

bool GetTimeout(Napi::Env env, Napi::Value v, double &out) {
  if (napi_get_value_double(env, v, &out) != napi_ok) {
    if (v.IsUndefined() || v.IsNull()) {
      out = -1;
      return true;
    }
    ThrowType(env, "timeout must be a number");
    return false;
  }
  if (out != out) {
    ThrowRange(env, "Invalid value NaN (not a number)");
    return false;
  }
  return true;
}

bool GetBytes(Napi::Env env, Napi::Value v, const char *what, uint8_t *&data, size_t &len) {
  napi_value raw = v;
  bool is;
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  // A Buffer or other TypedArray, the usual case, in one call: napi_invalid_arg otherwise.
  if (napi_get_typedarray_info(env, raw, &type, &length, &ptr, nullptr, nullptr) == napi_ok) {
    size_t elem = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        elem = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        elem = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        elem = 8;
        break;
      default:
        elem = 1;
    }
    data = static_cast<uint8_t *>(ptr);
    len = length * elem;
    return true;
  }
  if (napi_is_dataview(env, raw, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset;
    if (napi_get_dataview_info(env, raw, &length, &ptr, &ab, &offset) != napi_ok) return false;
    data = static_cast<uint8_t *>(ptr);
    len = length;
    return true;
  }
  if (napi_is_arraybuffer(env, raw, &is) == napi_ok && is) {
    if (napi_get_arraybuffer_info(env, raw, &ptr, &length) != napi_ok) return false;
    data = static_cast<uint8_t *>(ptr);
    len = length;
    return true;
  }
  ThrowType(env, std::string(what) + " must be a bytes-like object");
  return false;
}

bool GetString(Napi::Env env, Napi::Value v, const char *what, std::string &out) {
  if (!v.IsString()) {
    ThrowType(env, std::string(what) + " must be a string");
    return false;
  }
  out = v.As<Napi::String>().Utf8Value();
  if (out.find('\0') != std::string::npos) {
    ThrowRange(env, "embedded null character");
    return false;
  }
  return true;
}

bool ArgOptString(const Napi::CallbackInfo &info, size_t i, const char *what, std::string &out, bool &has) {
  has = !(info[i].IsNull() || info[i].IsUndefined());
  return !has || ArgString(info, i, what, out);
}

bool ArgBuffer(const Napi::CallbackInfo &info, size_t i, size_t nbytesArg, uint8_t *&data, size_t &len) {
  if (!ArgBytes(info, i, "buffer", data, len)) return false;
  Napi::Value nb = info[nbytesArg];
  double probe;
  // A number (the usual case) is checked by GetInt64; undefined means the whole view.
  if (napi_get_value_double(info.Env(), nb, &probe) == napi_ok || !nb.IsUndefined()) {
    int64_t n;
    if (!GetInt64(info.Env(), nb, "nbytes", 0, static_cast<int64_t>(SSIZE_MAX), n)) return false;
    if (static_cast<uint64_t>(n) > len) {
      ThrowRange(info.Env(), "buffer too small for requested bytes");
      return false;
    }
    if (n > 0) len = static_cast<size_t>(n);
  }
  return true;
}

}  // namespace bsdsock

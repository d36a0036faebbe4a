// Address conversion between JS values and sockaddr structures, per family.
// The counterpart of CPython's getsockaddrarg()/makesockaddr().
//
// Input is the *normalised* form that lib/address.ts produces after Python's
// validation and name resolution (numeric hosts only):
//   AF_INET    [host, port]                       host: dotted quad
//   AF_INET6   [host, port, flowinfo, scope_id]   host: numeric IPv6, no '%'
//   AF_UNIX    Buffer                             '' autobinds, leading NUL = abstract
//   AF_PACKET  [ifname, proto, pkttype, hatype, addr: Buffer]   proto in host order
//   AF_NETLINK [pid, groups]
// Native code validates the shape again before touching memory, and throws
// TypeError/RangeError if it is wrong.
#pragma once

#include <napi.h>
#include <sys/socket.h>

namespace bsdsock {

struct SockAddr {
  sockaddr_storage ss;
  socklen_t len;
};

// Fills `out` from `value` for `family`. Returns false with a JS exception pending on failure.
bool ParseSockAddr(Napi::Env env, int family, Napi::Value value, SockAddr &out, const char *caller);

// Builds the JS form of an address returned by the kernel (`null` when len == 0).
Napi::Value MakeSockAddr(Napi::Env env, const sockaddr *sa, socklen_t len);

// Argument helpers shared by the native functions: they throw TypeError/RangeError
// and return false when `v` is not an integer in [min, max].
bool GetInt64(Napi::Env env, Napi::Value v, const char *what, int64_t min, int64_t max, int64_t &out);
bool GetInt(Napi::Env env, Napi::Value v, const char *what, int &out);

// A file descriptor argument (0..INT_MAX).
bool GetFd(Napi::Env env, Napi::Value v, int &fd);
// A timeout argument in seconds: undefined/null = -1 (blocking); NaN is a RangeError.
bool GetTimeout(Napi::Env env, Napi::Value v, double &out);

// Points `data`/`len` at the bytes of a Buffer / TypedArray / DataView / ArrayBuffer.
bool GetBytes(Napi::Env env, Napi::Value v, const char *what, uint8_t *&data, size_t &len);

}  // namespace bsdsock

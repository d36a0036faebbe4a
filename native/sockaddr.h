// Address codecs: JS values to sockaddr structures and back, per family (CPython's names).
//
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
bool getsockaddrarg(Napi::Env env, int family, Napi::Value value, SockAddr &out, const char *caller);

// Builds the JS form of an address returned by the kernel (`null` when len == 0).
Napi::Value makesockaddr(Napi::Env env, const sockaddr *sa, socklen_t len);

}  // namespace bsdsock

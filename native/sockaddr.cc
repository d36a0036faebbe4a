// Address codecs per family: getsockaddrarg and makesockaddr (see sockaddr.h).
//
// A port of the idea of CPython's codecs; Python-level validation lives in lib/address.ts.
#include "sockaddr.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>

#include "args.h"
#include "errors.h"

namespace bsdsock {

namespace {

bool GetTuple(Napi::Env env, Napi::Value v, uint32_t n, const char *caller, const char *fam,
              Napi::Array &out) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != n) {
    ThrowType(env, std::string(caller) + "(): " + fam + " address must be an array of " + std::to_string(n));
    return false;
  }
  out = v.As<Napi::Array>();
  return true;
}

bool GetHost(Napi::Env env, Napi::Value v, std::string &out) {
  if (!v.IsString()) {
    ThrowType(env, "host must be a string");
    return false;
  }
  out = v.As<Napi::String>().Utf8Value();
  return true;
}

// The numeric host of an AF_INET or AF_INET6 address into `dst` (a TypeError otherwise).
bool PtonHost(Napi::Env env, int family, const std::string &host, void *dst, const char *caller) {
  if (inet_pton(family, host.c_str(), dst) == 1) return true;
  ThrowType(env, std::string(caller) + "(): not a numeric " + (family == AF_INET ? "IPv4" : "IPv6") +
                     " address: " + host);
  return false;
}

// The mirror of PtonHost: [host, port, ...] in an array of n items, the rest left to the caller.
Napi::Array NtopHost(Napi::Env env, int family, const void *addr, uint16_t netPort, uint32_t n) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(family, addr, buf, sizeof(buf));
  Napi::Array a = Napi::Array::New(env, n);
  a.Set(0u, Napi::String::New(env, buf));
  a.Set(1u, Napi::Number::New(env, ntohs(netPort)));
  return a;
}

}  // namespace

bool getsockaddrarg(Napi::Env env, int family, Napi::Value value, SockAddr &out, const char *caller) {
  memset(&out.ss, 0, sizeof(out.ss));
  switch (family) {
    case AF_INET: {
      auto *sin = reinterpret_cast<sockaddr_in *>(&out.ss);
      if (value.IsNumber()) {
        // lib's packed form (packedV4): host * 65536 + port, the host's four bytes in host order.
        double d = value.As<Napi::Number>().DoubleValue();
        if (!(d >= 0 && d < 281474976710656.0) || d != std::floor(d)) {
          ThrowType(env, std::string(caller) + "(): packed AF_INET address out of range");
          return false;
        }
        auto v = static_cast<uint64_t>(d);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(static_cast<uint16_t>(v & 0xffff));
        sin->sin_addr.s_addr = htonl(static_cast<uint32_t>(v >> 16));
        out.len = sizeof(sockaddr_in);
        return true;
      }
      Napi::Array a;
      std::string host;
      int64_t port;
      if (!GetTuple(env, value, 2, caller, "AF_INET", a) || !GetHost(env, a[0u], host) ||
          !GetInt64(env, a[1u], "port", 0, 65535, port))
        return false;
      sin->sin_family = AF_INET;
      sin->sin_port = htons(static_cast<uint16_t>(port));
      if (!PtonHost(env, AF_INET, host, &sin->sin_addr, caller)) return false;
      out.len = sizeof(sockaddr_in);
      return true;
    }
    case AF_INET6: {
      Napi::Array a;
      std::string host;
      int64_t port, flow, scope;
      if (!GetTuple(env, value, 4, caller, "AF_INET6", a) || !GetHost(env, a[0u], host) ||
          !GetInt64(env, a[1u], "port", 0, 65535, port) ||
          !GetInt64(env, a[2u], "flowinfo", 0, 0xfffff, flow) ||
          !GetInt64(env, a[3u], "scope_id", 0, UINT32_MAX, scope))
        return false;
      auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&out.ss);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(static_cast<uint16_t>(port));
      sin6->sin6_flowinfo = htonl(static_cast<uint32_t>(flow));
      sin6->sin6_scope_id = static_cast<uint32_t>(scope);
      if (!PtonHost(env, AF_INET6, host, &sin6->sin6_addr, caller)) return false;
      out.len = sizeof(sockaddr_in6);
      return true;
    }
    case AF_UNIX: {
      uint8_t *data;
      size_t len;
      if (!GetBytes(env, value, "AF_UNIX address", data, len)) return false;
      auto *sun = reinterpret_cast<sockaddr_un *>(&out.ss);
      sun->sun_family = AF_UNIX;
      bool abstract = len > 0 && data[0] == 0;
      // A filesystem path needs room for its terminating NUL; an abstract name does not.
      if (len > sizeof(sun->sun_path) || (!abstract && len == sizeof(sun->sun_path))) {
        ThrowRange(env, "AF_UNIX path too long");
        return false;
      }
      if (len) memcpy(sun->sun_path, data, len);
      out.len =
          static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len + (abstract || len == 0 ? 0 : 1));
      return true;
    }
    case AF_PACKET: {
      Napi::Array a;
      int64_t proto, pkttype, hatype;
      if (!GetTuple(env, value, 5, caller, "AF_PACKET", a)) return false;
      Napi::Value ifv = a[0u];
      if (!ifv.IsString()) {
        ThrowType(env, "AF_PACKET interface name must be a string");
        return false;
      }
      std::string ifname = ifv.As<Napi::String>().Utf8Value();
      if (!GetInt64(env, a[1u], "proto", 0, 65535, proto) ||
          !GetInt64(env, a[2u], "pkttype", INT32_MIN, INT32_MAX, pkttype) ||
          !GetInt64(env, a[3u], "hatype", INT32_MIN, INT32_MAX, hatype))
        return false;
      uint8_t *hw = nullptr;
      size_t hwlen = 0;
      if (!GetBytes(env, a[4u], "hardware address", hw, hwlen)) return false;
      auto *sll = reinterpret_cast<sockaddr_ll *>(&out.ss);
      if (hwlen > sizeof(sll->sll_addr)) {
        ThrowRange(env, "Hardware address must be 8 bytes or less");
        return false;
      }
      unsigned idx = 0;
      if (!ifname.empty()) {
        if (ifname.size() >= IF_NAMESIZE || (idx = if_nametoindex(ifname.c_str())) == 0) {
          ThrowErrno(env, ENODEV, caller);
          return false;
        }
      }
      sll->sll_family = AF_PACKET;
      sll->sll_protocol = htons(static_cast<uint16_t>(proto));
      sll->sll_ifindex = static_cast<int>(idx);
      sll->sll_pkttype = static_cast<unsigned char>(pkttype);
      sll->sll_hatype = static_cast<unsigned short>(hatype);
      sll->sll_halen = static_cast<unsigned char>(hwlen);
      if (hwlen) memcpy(sll->sll_addr, hw, hwlen);
      out.len = sizeof(sockaddr_ll);
      return true;
    }
    case AF_NETLINK: {
      Napi::Array a;
      int64_t pid, groups;
      if (!GetTuple(env, value, 2, caller, "AF_NETLINK", a) ||
          !GetInt64(env, a[0u], "pid", 0, UINT32_MAX, pid) ||
          !GetInt64(env, a[1u], "groups", 0, UINT32_MAX, groups))
        return false;
      auto *nl = reinterpret_cast<sockaddr_nl *>(&out.ss);
      nl->nl_family = AF_NETLINK;
      nl->nl_pid = static_cast<uint32_t>(pid);
      nl->nl_groups = static_cast<uint32_t>(groups);
      out.len = sizeof(sockaddr_nl);
      return true;
    }
    default:
      ThrowErrno(env, EAFNOSUPPORT, caller);
      return false;
  }
}

Napi::Value makesockaddr(Napi::Env env, const sockaddr *sa, socklen_t len) {
  if (len == 0) return env.Null();
  switch (sa->sa_family) {
    case AF_INET: {
      auto *sin = reinterpret_cast<const sockaddr_in *>(sa);
      return NtopHost(env, AF_INET, &sin->sin_addr, sin->sin_port, 2);
    }
    case AF_INET6: {
      auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(sa);
      Napi::Array a = NtopHost(env, AF_INET6, &sin6->sin6_addr, sin6->sin6_port, 4);
      a.Set(2u, Napi::Number::New(env, ntohl(sin6->sin6_flowinfo)));
      a.Set(3u, Napi::Number::New(env, sin6->sin6_scope_id));
      return a;
    }
    case AF_UNIX: {
      auto *sun = reinterpret_cast<const sockaddr_un *>(sa);
      size_t off = offsetof(sockaddr_un, sun_path);
      size_t n = len > off ? len - off : 0;
      if (n > sizeof(sun->sun_path)) n = sizeof(sun->sun_path);
      if (n == 0) return Napi::String::New(env, "");
      if (sun->sun_path[0] == 0) return Napi::Buffer<char>::Copy(env, sun->sun_path, n);
      return Napi::String::New(env, sun->sun_path, strnlen(sun->sun_path, n));
    }
    case AF_PACKET: {
      auto *sll = reinterpret_cast<const sockaddr_ll *>(sa);
      char ifname[IF_NAMESIZE] = "";
      if (sll->sll_ifindex > 0 && !if_indextoname(static_cast<unsigned>(sll->sll_ifindex), ifname))
        ifname[0] = 0;
      size_t halen = sll->sll_halen > sizeof(sll->sll_addr) ? sizeof(sll->sll_addr) : sll->sll_halen;
      Napi::Array a = Napi::Array::New(env, 5);
      a.Set(0u, Napi::String::New(env, ifname));
      a.Set(1u, Napi::Number::New(env, ntohs(sll->sll_protocol)));
      a.Set(2u, Napi::Number::New(env, sll->sll_pkttype));
      a.Set(3u, Napi::Number::New(env, sll->sll_hatype));
      a.Set(4u, Napi::Buffer<uint8_t>::Copy(env, sll->sll_addr, halen));
      return a;
    }
    case AF_NETLINK: {
      auto *nl = reinterpret_cast<const sockaddr_nl *>(sa);
      Napi::Array a = Napi::Array::New(env, 2);
      a.Set(0u, Napi::Number::New(env, nl->nl_pid));
      a.Set(1u, Napi::Number::New(env, nl->nl_groups));
      return a;
    }
    default: {
      // Unknown family: (sa_family, sa_data) as CPython does.
      Napi::Array a = Napi::Array::New(env, 2);
      a.Set(0u, Napi::Number::New(env, sa->sa_family));
      size_t n = len > offsetof(sockaddr, sa_data) ? len - offsetof(sockaddr, sa_data) : 0;
      if (n > sizeof(sa->sa_data)) n = sizeof(sa->sa_data);
      a.Set(1u, Napi::Buffer<char>::Copy(env, sa->sa_data, n));
      return a;
    }
  }
}

}  // namespace bsdsock

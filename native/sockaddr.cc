// Address codecs per family (see sockaddr.h). Port of the idea of CPython's
// getsockaddrarg/makesockaddr, with Python-level validation living in lib/address.ts.
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

}  // namespace

bool ParseSockAddr(Napi::Env env, int family, Napi::Value value, SockAddr &out, const char *caller) {
  memset(&out.ss, 0, sizeof(out.ss));
  switch (family) {
    case AF_INET: {
      Napi::Array a;
      std::string host;
      int64_t port;
      if (!GetTuple(env, value, 2, caller, "AF_INET", a) || !GetHost(env, a[0u], host) ||
          !GetInt64(env, a[1u], "port", 0, 65535, port))
        return false;
      auto *sin = reinterpret_cast<sockaddr_in *>(&out.ss);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) {
        ThrowType(env, std::string(caller) + "(): not a numeric IPv4 address: " + host);
        return false;
      }
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
      if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
        ThrowType(env, std::string(caller) + "(): not a numeric IPv6 address: " + host);
        return false;
      }
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

Napi::Value MakeSockAddr(Napi::Env env, const sockaddr *sa, socklen_t len) {
  if (len == 0) return env.Null();
  switch (sa->sa_family) {
    case AF_INET: {
      auto *sin = reinterpret_cast<const sockaddr_in *>(sa);
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
      Napi::Array a = Napi::Array::New(env, 2);
      a.Set(0u, Napi::String::New(env, buf));
      a.Set(1u, Napi::Number::New(env, ntohs(sin->sin_port)));
      return a;
    }
    case AF_INET6: {
      auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(sa);
      char buf[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
      Napi::Array a = Napi::Array::New(env, 4);
      a.Set(0u, Napi::String::New(env, buf));
      a.Set(1u, Napi::Number::New(env, ntohs(sin6->sin6_port)));
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

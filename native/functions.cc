// Module-level functions: name resolution, address text, interface names, CMSG sizes.
//
// Name resolution is getaddrinfo, getnameinfo, gethostby*, getserv* and getprotobyname.
// lib/functions.ts adds Python's argument checks and messages on top.
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sockaddr.h"

namespace bsdsock {

namespace {

// ---- getaddrinfo, getnameinfo ---------------------------------------------------------

// A host given as bytes (any TypedArray) goes to the resolver unchanged, as CPython passes a
// bytes host; the C library reads it up to its first NUL, so the copy stops there too.
bool BytesHost(Napi::Env env, Napi::Value v, std::string &out) {
  uint8_t *data;
  size_t len;
  if (!GetBytes(env, v, "host", data, len)) return false;
  const char *p = reinterpret_cast<const char *>(data);
  out.assign(p, std::find(p, p + len, '\0'));
  return true;
}

// getaddrinfo(host, port, family, type, proto, flags) -> [family, type, proto, canonname, sockaddr][].
struct GaiRequest {
  static constexpr const char *kSyscall = "getaddrinfo";
  bool hasHost = false, hasPort = false;
  std::string host, port;
  addrinfo hints{};
  addrinfo *result = nullptr;
  int code = 0;
  int savedErrno = 0;

  // Reads (host: string|bytes|null, port: string|null, family, type, proto, flags).
  bool Parse(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    for (int i = 0; i < 2; i++) {
      Napi::Value v = info[i];
      if (v.IsNull() || v.IsUndefined()) continue;
      if (i == 0 && v.IsTypedArray()) {
        if (!BytesHost(env, v, host)) return false;
        hasHost = true;
        continue;
      }
      if (!v.IsString()) {
        ThrowType(env, i == 0 ? "host must be a string or null" : "port must be a string or null");
        return false;
      }
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.find('\0') != std::string::npos) {
        // No name contains a NUL: Python's getaddrinfo answers EAI_NONAME too.
        ThrowGaiError(env, EAI_NONAME, 0);
        return false;
      }
      (i == 0 ? hasHost : hasPort) = true;
      (i == 0 ? host : port) = std::move(s);
    }
    return ArgInt(info, 2, "family", hints.ai_family) && ArgInt(info, 3, "type", hints.ai_socktype) &&
           ArgInt(info, 4, "proto", hints.ai_protocol) && ArgInt(info, 5, "flags", hints.ai_flags);
  }
  void Run() {
    code = getaddrinfo(hasHost ? host.c_str() : nullptr, hasPort ? port.c_str() : nullptr, &hints, &result);
    savedErrno = errno;
  }
  Napi::Value Result(Napi::Env env) const {
    Napi::Array out = Napi::Array::New(env);
    uint32_t i = 0;
    for (const addrinfo *ai = result; ai; ai = ai->ai_next) {
      Napi::Array e = Napi::Array::New(env, 5);
      e.Set(0u, Napi::Number::New(env, ai->ai_family));
      e.Set(1u, Napi::Number::New(env, ai->ai_socktype));
      e.Set(2u, Napi::Number::New(env, ai->ai_protocol));
      e.Set(3u, Napi::String::New(env, ai->ai_canonname ? ai->ai_canonname : ""));
      e.Set(4u, makesockaddr(env, ai->ai_addr, ai->ai_addrlen));
      out.Set(i++, e);
    }
    return out;
  }
  ~GaiRequest() {
    if (result) freeaddrinfo(result);
  }
};

// getnameinfo(family, sockaddr, flags) -> [host, service].
struct GniRequest {
  static constexpr const char *kSyscall = "getnameinfo";
  SockAddr sa;
  int flags = 0;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  int code = 0;
  int savedErrno = 0;

  bool Parse(const Napi::CallbackInfo &info) {
    int family;
    return ArgInt(info, 0, "family", family) &&
           getsockaddrarg(info.Env(), family, info[1], sa, "getnameinfo") && ArgInt(info, 2, "flags", flags);
  }
  void Run() {
    host[0] = serv[0] = 0;
    code = getnameinfo(reinterpret_cast<sockaddr *>(&sa.ss), sa.len, host, sizeof(host), serv, sizeof(serv),
                       flags);
    savedErrno = errno;
  }
  Napi::Value Result(Napi::Env env) const {
    Napi::Array a = Napi::Array::New(env, 2);
    a.Set(0u, Napi::String::New(env, host));
    a.Set(1u, Napi::String::New(env, serv));
    return a;
  }
};

// A resolver call on this thread: getaddrinfo(3) or getnameinfo(3), as Req says.
template <typename Req>
Napi::Value Lookup(const Napi::CallbackInfo &info) {
  Req req;
  if (!req.Parse(info)) return Napi::Value();
  req.Run();
  if (req.code != 0) return ThrowGaiError(info.Env(), req.code, req.savedErrno, Req::kSyscall);
  return req.Result(info.Env());
}

// The same on the libuv thread pool, settling a promise on the loop thread.
template <typename Req>
class LookupWorker : public Napi::AsyncWorker {
 public:
  LookupWorker(Napi::Env env, Req *req)
      : Napi::AsyncWorker(env, (std::string("bsdsock:") + Req::kSyscall).c_str()),
        req_(req),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  ~LookupWorker() override { delete req_; }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { req_->Run(); }
  void OnOK() override {
    Napi::Env env = Env();
    if (req_->code == 0) {
      deferred_.Resolve(req_->Result(env));
      return;
    }
    Napi::Value err = NewGaiError(env, req_->code, req_->savedErrno, Req::kSyscall);
    if (env.IsExceptionPending()) err = env.GetAndClearPendingException().Value();
    deferred_.Reject(err);
  }

 private:
  Req *req_;
  Napi::Promise::Deferred deferred_;
};

template <typename Req>
Napi::Value LookupAsync(const Napi::CallbackInfo &info) {
  auto *req = new Req();
  if (!req->Parse(info)) {
    delete req;
    return Napi::Value();
  }
  auto *w = new LookupWorker<Req>(info.Env(), req);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// ---- netdb lookups ---------------------------------------------------------------

Napi::Value HostEnt(Napi::Env env, const hostent *h) {
  Napi::Array aliases = Napi::Array::New(env);
  uint32_t n = 0;
  for (char **p = h->h_aliases; p && *p; p++) aliases.Set(n++, Napi::String::New(env, *p));
  Napi::Array addrs = Napi::Array::New(env);
  n = 0;
  for (char **p = h->h_addr_list; p && *p; p++) {
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(h->h_addrtype, *p, buf, sizeof(buf))) addrs.Set(n++, Napi::String::New(env, buf));
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::String::New(env, h->h_name ? h->h_name : ""));
  out.Set(1u, aliases);
  out.Set(2u, addrs);
  return out;
}

// gethostbyname_ex(name: string|bytes) -> [hostname, aliases, addresses] (IPv4). Calls
// gethostbyname_r(3).
Napi::Value GetHostByNameEx(const Napi::CallbackInfo &info) {
  std::string name;
  if (info[0].IsTypedArray() ? !BytesHost(info.Env(), info[0], name) : !ArgString(info, 0, "hostname", name))
    return Napi::Value();
  std::vector<char> buf(16384);
  hostent he, *res = nullptr;
  int herr = 0;
  int r;
  while ((r = gethostbyname_r(name.c_str(), &he, buf.data(), buf.size(), &res, &herr)) == ERANGE &&
         buf.size() < (1u << 22))
    buf.resize(buf.size() * 2);
  if (r != 0 || !res) return ThrowHError(info.Env(), herr ? herr : HOST_NOT_FOUND);
  return HostEnt(info.Env(), res);
}

// gethostbyaddr(numeric address, family) -> [hostname, aliases, addresses]. Calls gethostbyaddr_r(3).
Napi::Value GetHostByAddr(const Napi::CallbackInfo &info) {
  std::string addr;
  int family;
  if (!ArgString(info, 0, "address", addr) || !ArgInt(info, 1, "family", family)) return Napi::Value();
  unsigned char packed[sizeof(in6_addr)];
  if (inet_pton(family, addr.c_str(), packed) != 1) return ThrowHError(info.Env(), HOST_NOT_FOUND);
  socklen_t alen = family == AF_INET6 ? sizeof(in6_addr) : sizeof(in_addr);
  std::vector<char> buf(16384);
  hostent he, *res = nullptr;
  int herr = 0;
  int r;
  while ((r = gethostbyaddr_r(packed, alen, family, &he, buf.data(), buf.size(), &res, &herr)) == ERANGE &&
         buf.size() < (1u << 22))
    buf.resize(buf.size() * 2);
  if (r != 0 || !res) return ThrowHError(info.Env(), herr ? herr : HOST_NOT_FOUND);
  return HostEnt(info.Env(), res);
}

// gethostname() -> string. Calls gethostname(2).
Napi::Value GetHostName(const Napi::CallbackInfo &info) {
  char buf[HOST_NAME_MAX + 2];
  if (gethostname(buf, sizeof(buf) - 1) < 0) return ThrowErrno(info.Env(), errno, "gethostname");
  buf[sizeof(buf) - 1] = 0;
  return Napi::String::New(info.Env(), buf);
}

// getservbyname(name, proto|null) -> port | null. Calls getservbyname_r(3).
Napi::Value GetServByName(const Napi::CallbackInfo &info) {
  std::string name, proto;
  bool hasProto;
  if (!ArgString(info, 0, "servicename", name) || !ArgOptString(info, 1, "protocolname", proto, hasProto))
    return Napi::Value();
  servent se, *res = nullptr;
  char buf[4096];
  if (getservbyname_r(name.c_str(), hasProto ? proto.c_str() : nullptr, &se, buf, sizeof(buf), &res) != 0 ||
      !res)
    return info.Env().Null();
  return Napi::Number::New(info.Env(), ntohs(static_cast<uint16_t>(res->s_port)));
}

// getservbyport(port, proto|null) -> name | null. Calls getservbyport_r(3).
Napi::Value GetServByPort(const Napi::CallbackInfo &info) {
  int64_t port;
  std::string proto;
  bool hasProto;
  if (!ArgInt64(info, 0, "port", 0, 65535, port) || !ArgOptString(info, 1, "protocolname", proto, hasProto))
    return Napi::Value();
  servent se, *res = nullptr;
  char buf[4096];
  if (getservbyport_r(htons(static_cast<uint16_t>(port)), hasProto ? proto.c_str() : nullptr, &se, buf,
                      sizeof(buf), &res) != 0 ||
      !res)
    return info.Env().Null();
  return Napi::String::New(info.Env(), res->s_name);
}

// getprotobyname(name) -> number | null. Calls getprotobyname_r(3).
Napi::Value GetProtoByName(const Napi::CallbackInfo &info) {
  std::string name;
  if (!ArgString(info, 0, "protocolname", name)) return Napi::Value();
#ifdef __GLIBC__
  protoent pe, *res = nullptr;
  char buf[4096];
  if (getprotobyname_r(name.c_str(), &pe, buf, sizeof(buf), &res) != 0 || !res) return info.Env().Null();
  return Napi::Number::New(info.Env(), res->p_proto);
#else
  // musl has no getprotobyname_r; its getprotobyname fills static storage, so one
  // lock serialises the worker threads that may call it.
  static std::mutex lock;
  std::lock_guard<std::mutex> hold(lock);
  const protoent *res = getprotobyname(name.c_str());
  if (!res) return info.Env().Null();
  return Napi::Number::New(info.Env(), res->p_proto);
#endif
}

// ---- text <-> packed addresses -----------------------------------------------------

// inet_pton(family, text) -> Buffer | null (not an address). Unknown family: OSError EAFNOSUPPORT.
Napi::Value InetPton(const Napi::CallbackInfo &info) {
  int family;
  std::string text;
  if (!ArgInt(info, 0, "address_family", family) || !ArgString(info, 1, "ip_string", text))
    return Napi::Value();
  unsigned char packed[sizeof(in6_addr)];
  int r = inet_pton(family, text.c_str(), packed);
  if (r < 0) return ThrowErrno(info.Env(), errno, "inet_pton");
  if (r == 0) return info.Env().Null();
  return Napi::Buffer<unsigned char>::Copy(info.Env(), packed, family == AF_INET6 ? 16 : 4);
}

// inet_ntop(family, packed) -> text. lib/ checks the family and length first.
Napi::Value InetNtop(const Napi::CallbackInfo &info) {
  int family;
  uint8_t *data;
  size_t len;
  if (!ArgInt(info, 0, "address_family", family) || !ArgBytes(info, 1, "packed_ip", data, len))
    return Napi::Value();
  size_t want = family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
  if (want == 0) return ThrowErrno(info.Env(), EAFNOSUPPORT, "inet_ntop");
  if (len != want) return ThrowRange(info.Env(), "invalid length of packed IP address string");
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, data, buf, sizeof(buf))) return ThrowErrno(info.Env(), errno, "inet_ntop");
  return Napi::String::New(info.Env(), buf);
}

// inet_aton(text) -> 4-byte Buffer | null. Calls inet_aton(3) (BSD rules: '127.1', hex, ...).
Napi::Value InetAton(const Napi::CallbackInfo &info) {
  std::string text;
  if (!ArgString(info, 0, "ip_string", text)) return Napi::Value();
  in_addr a;
  if (inet_aton(text.c_str(), &a) == 0) return info.Env().Null();
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t *>(&a), 4);
}

// ---- interfaces ------------------------------------------------------------------

// if_nameindex() -> [index, name][]. Calls if_nameindex(3).
Napi::Value IfNameIndex(const Napi::CallbackInfo &info) {
  struct if_nameindex *list = if_nameindex();
  if (!list) return ThrowErrno(info.Env(), errno, "if_nameindex");
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t n = 0;
  for (struct if_nameindex *p = list; p->if_index != 0 && p->if_name; p++) {
    Napi::Array e = Napi::Array::New(info.Env(), 2);
    e.Set(0u, Napi::Number::New(info.Env(), p->if_index));
    e.Set(1u, Napi::String::New(info.Env(), p->if_name));
    out.Set(n++, e);
  }
  if_freenameindex(list);
  return out;
}

// if_nametoindex(name) -> index, 0 when there is no such interface.
Napi::Value IfNameToIndex(const Napi::CallbackInfo &info) {
  std::string name;
  if (!ArgString(info, 0, "if_name", name)) return Napi::Value();
  return Napi::Number::New(info.Env(), if_nametoindex(name.c_str()));
}

// if_indextoname(index) -> name. An unknown index is OSError ENXIO, as Python.
Napi::Value IfIndexToName(const Napi::CallbackInfo &info) {
  int64_t idx;
  if (!ArgInt64(info, 0, "if_index", 0, UINT32_MAX, idx)) return Napi::Value();
  char buf[IF_NAMESIZE + 1];
  if (!if_indextoname(static_cast<unsigned>(idx), buf))
    return ThrowErrno(info.Env(), errno, "if_indextoname");
  return Napi::String::New(info.Env(), buf);
}

// ---- CMSG sizes ------------------------------------------------------------------

Napi::Value CmsgLen(const Napi::CallbackInfo &info) {
  int64_t n;
  if (!ArgInt64(info, 0, "length", 0, INT32_MAX - CMSG_LEN(0), n)) return Napi::Value();
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_LEN(static_cast<size_t>(n))));
}

Napi::Value CmsgSpace(const Napi::CallbackInfo &info) {
  int64_t n;
  if (!ArgInt64(info, 0, "length", 0, INT32_MAX - CMSG_SPACE(0), n)) return Napi::Value();
  return Napi::Number::New(info.Env(), static_cast<double>(CMSG_SPACE(static_cast<size_t>(n))));
}

}  // namespace

void InitFunctions(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"getaddrinfo", Lookup<GaiRequest>},
                   {"getaddrinfo_async", LookupAsync<GaiRequest>},
                   {"getnameinfo", Lookup<GniRequest>},
                   {"getnameinfo_async", LookupAsync<GniRequest>},
                   {"gethostbyname_ex", GetHostByNameEx},
                   {"gethostbyaddr", GetHostByAddr},
                   {"gethostname", GetHostName},
                   {"getservbyname", GetServByName},
                   {"getservbyport", GetServByPort},
                   {"getprotobyname", GetProtoByName},
                   {"inet_pton", InetPton},
                   {"inet_ntop", InetNtop},
                   {"inet_aton", InetAton},
                   {"if_nameindex", IfNameIndex},
                   {"if_nametoindex", IfNameToIndex},
                   {"if_indextoname", IfIndexToName},
                   {"CMSG_LEN", CmsgLen},
                   {"CMSG_SPACE", CmsgSpace},
               });
}

}  // namespace bsdsock

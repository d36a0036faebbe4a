// Classic BPF socket filters (SO_ATTACH_FILTER) and the RFC 1071 Internet checksum.
#include <linux/filter.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include "addon.h"
#include "args.h"
#include "errors.h"

namespace bsdsock {

namespace {

// attach_filter(fd, program): program is [code, jt, jf, k][] as `tcpdump -dd` prints it.
// Every field is checked (code u16, jt/jf u8, k u32; 1..BPF_MAXINSNS instructions) before
// a sock_fprog is built and given to setsockopt(SO_ATTACH_FILTER); the kernel then checks
// the program itself (EINVAL if it is not a valid filter).
Napi::Value AttachFilter(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  if (!info[1].IsArray())
    return ThrowType(env, "attach_filter() program must be an array of [code, jt, jf, k]");
  Napi::Array prog = info[1].As<Napi::Array>();
  uint32_t n = prog.Length();
  if (n == 0 || n > BPF_MAXINSNS)
    return ThrowRange(
        env, "attach_filter() program must have 1 to " + std::to_string(BPF_MAXINSNS) + " instructions");
  std::vector<sock_filter> insns(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value v = prog.Get(i);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 4)
      return ThrowType(env,
                       "attach_filter() instruction " + std::to_string(i) + " must be [code, jt, jf, k]");
    Napi::Array ins = v.As<Napi::Array>();
    int64_t code, jt, jf, k;
    if (!GetInt64(env, ins.Get(0u), "BPF code", 0, 0xffff, code) ||
        !GetInt64(env, ins.Get(1u), "BPF jt", 0, 0xff, jt) ||
        !GetInt64(env, ins.Get(2u), "BPF jf", 0, 0xff, jf) ||
        !GetInt64(env, ins.Get(3u), "BPF k", 0, UINT32_MAX, k))
      return Napi::Value();
    insns[i].code = static_cast<uint16_t>(code);
    insns[i].jt = static_cast<uint8_t>(jt);
    insns[i].jf = static_cast<uint8_t>(jf);
    insns[i].k = static_cast<uint32_t>(k);
  }
  sock_fprog fprog{static_cast<unsigned short>(n), insns.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) < 0)
    return ThrowErrno(env, errno, "setsockopt");
  return env.Undefined();
}

// detach_filter(fd): setsockopt(SO_DETACH_FILTER).
Napi::Value DetachFilter(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  int dummy = 0;
  if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy)) < 0)
    return ThrowErrno(info.Env(), errno, "setsockopt");
  return info.Env().Undefined();
}

// inet_checksum(data) -> 0..0xffff: the one's complement of the one's complement sum of
// the data as big-endian 16-bit words (RFC 1071), an odd last byte padded with zero.
Napi::Value InetChecksum(const Napi::CallbackInfo &info) {
  uint8_t *data;
  size_t len;
  if (!ArgBytes(info, 0, "data", data, len)) return Napi::Value();
  uint64_t sum = 0;
  size_t i = 0;
  for (; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < len) sum += static_cast<uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return Napi::Number::New(info.Env(), static_cast<double>(~sum & 0xffff));
}

}  // namespace

void InitFilters(Napi::Env env, Napi::Object exports) {
  SetFunctions(env, exports,
               {
                   {"attach_filter", AttachFilter},
                   {"detach_filter", DetachFilter},
                   {"inet_checksum", InetChecksum},
               });
  exports.Set("BPF_MAXINSNS", Napi::Number::New(env, BPF_MAXINSNS));
}

}  // namespace bsdsock

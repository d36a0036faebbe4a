// The owned-fd record and environment teardown (see watcher.h).
#include "watcher.h"

#include <unistd.h>

#include "addon.h"
#include "args.h"

namespace bsdsock {

namespace {

WatcherState &State(Napi::Env env) {
  return *env.GetInstanceData<Addon>()->watchers;
}

// Called when the environment is being torn down (worker exit, process exit): closes
// every fd still owned and frees the record.
void Teardown(void *arg) {
  auto *st = static_cast<WatcherState *>(arg);
  for (size_t w = 0; w < st->fds.size(); w++) {
    for (uint64_t bits = st->fds[w]; bits != 0; bits &= bits - 1) {
      close(static_cast<int>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
    }
  }
  delete st;
}

// release(fd): the fd leaves bsdsock's ownership (detach): teardown will not close it.
Napi::Value Release(const Napi::CallbackInfo &info) {
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  UntrackFd(info.Env(), fd);
  return info.Env().Undefined();
}

}  // namespace

void TrackFd(Napi::Env env, int fd) {
  if (fd < 0) return;
  std::vector<uint64_t> &v = State(env).fds;
  size_t w = static_cast<size_t>(fd) / 64;
  if (w >= v.size()) v.resize(w + 1, 0);
  v[w] |= uint64_t{1} << (fd % 64);
}

void UntrackFd(Napi::Env env, int fd) {
  if (fd < 0) return;
  std::vector<uint64_t> &v = State(env).fds;
  size_t w = static_cast<size_t>(fd) / 64;
  if (w < v.size()) v[w] &= ~(uint64_t{1} << (fd % 64));
}

void InitWatchers(Napi::Env env, Napi::Object exports, WatcherState &st) {
  napi_add_env_cleanup_hook(env, Teardown, &st);
  SetFunctions(env, exports, {{"release", Release}});
}

}  // namespace bsdsock

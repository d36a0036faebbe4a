// The fds bsdsock owns in each environment (worker), closed when the environment goes away.
//
// Every fd created or adopted here is recorded until it is closed or released (detach), so
// a worker that ends with open sockets does not leak their fds. The record is a bitset
// indexed by fd number: one bit per fd number up to the highest one seen, no allocation
// per socket. (The file keeps its old name; the per-socket uv_poll_t watchers it held
// before the engine, native/engine.h, are gone.)
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace bsdsock {

// Per-environment record of the fds bsdsock owns.
struct WatcherState {
  // Bit fd % 64 of word fd / 64 is set while bsdsock owns fd.
  std::vector<uint64_t> fds;
};

void InitWatchers(Napi::Env env, Napi::Object exports, WatcherState &state);

// Fd bookkeeping used by the syscall wrappers.
void TrackFd(Napi::Env env, int fd);
void UntrackFd(Napi::Env env, int fd);

}  // namespace bsdsock

// Readiness watchers for the async API: one uv_poll_t per socket, on its environment's loop.
//
// The loop is the one of the environment (worker) that created the watcher, never the
// default loop.
//
// JS sees them as small integer ids. One JS dispatcher per environment, registered with
// poll_init(), is called as dispatch(id, events, status) with a callback scope, so
// promises settled inside it run their reactions before the loop goes on.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace bsdsock {

struct PollHandle;

// Per-environment state of the watchers and of the fds bsdsock owns.
struct WatcherState {
  napi_env env = nullptr;
  uv_loop_t *loop = nullptr;
  Napi::FunctionReference dispatch;
  Napi::AsyncContext *context = nullptr;
  std::unordered_map<uint32_t, PollHandle *> handles;
  uint32_t nextId = 1;
  // Every fd created or adopted in this environment and not yet closed or released.
  // Closed by the cleanup hook when the environment (a worker) goes away.
  std::unordered_set<int> fds;
  napi_async_cleanup_hook_handle cleanupHook = nullptr;
  size_t closing = 0;  // uv_close calls whose callback has not run yet
  bool tearingDown = false;
};

void InitWatchers(Napi::Env env, Napi::Object exports, WatcherState &state);

// Fd bookkeeping used by the syscall wrappers.
void TrackFd(Napi::Env env, int fd);
void UntrackFd(Napi::Env env, int fd);

}  // namespace bsdsock

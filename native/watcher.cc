// uv_poll_t watchers and environment teardown (see watcher.h).
//
// Rules from libuv's poll docs: one active poll handle per fd; the fd may be closed
// right after uv_poll_stop/uv_close; wake-ups are level-triggered and may be spurious
// (lib/aio.ts always retries the syscall and expects WOULD_BLOCK).
#include "watcher.h"

#include <unistd.h>

#include <cerrno>

#include "addon.h"
#include "errors.h"
#include "args.h"

namespace bsdsock {

struct PollHandle {
  uv_poll_t poll;
  uint32_t id;
  WatcherState *state;
};

namespace {

WatcherState &State(Napi::Env env) {
  return *env.GetInstanceData<Addon>()->watchers;
}

// Ends teardown once the last handle is closed: the hook is removed and the state freed.
void FinishTeardown(WatcherState *st) {
  napi_async_cleanup_hook_handle hook = st->cleanupHook;
  delete st;
  napi_remove_async_cleanup_hook(hook);
}

void OnClosed(uv_handle_t *h) {
  auto *ph = static_cast<PollHandle *>(h->data);
  WatcherState *st = ph->state;
  delete ph;
  if (st->closing > 0) st->closing--;
  if (st->tearingDown && st->closing == 0) FinishTeardown(st);
}

void CloseHandle(WatcherState &st, PollHandle *ph) {
  st.handles.erase(ph->id);
  uv_poll_stop(&ph->poll);
  st.closing++;
  uv_close(reinterpret_cast<uv_handle_t *>(&ph->poll), OnClosed);
}

void OnPoll(uv_poll_t *h, int status, int events) {
  auto *ph = static_cast<PollHandle *>(h->data);
  WatcherState *st = ph->state;
  if (st->tearingDown || st->dispatch.IsEmpty() || !st->context) return;
  napi_env env = st->env;
  // Raw N-API throughout: once a worker is being terminated, calls into JS fail, and
  // node-addon-api would turn that failure into a fatal error.
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value args[3], recv, result;
  if (napi_create_uint32(env, ph->id, &args[0]) == napi_ok &&
      napi_create_int32(env, status < 0 ? 0 : events, &args[1]) == napi_ok &&
      napi_create_int32(env, status, &args[2]) == napi_ok && napi_get_global(env, &recv) == napi_ok) {
    napi_status s = napi_make_callback(env, *st->context, recv, st->dispatch.Value(), 3, args, &result);
    bool pending = false;
    if (s != napi_ok && napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      // The dispatcher catches everything; if something still escaped, report it the
      // way Node reports an uncaught exception instead of leaving it pending here.
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

// Called when the environment is being torn down (worker exit, process exit): stop
// every watcher, close every fd still owned, and finish once the handles are closed.
void Teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  auto *st = static_cast<WatcherState *>(arg);
  st->tearingDown = true;
  st->cleanupHook = hook;
  // JS values must be released while the environment still exists.
  st->dispatch.Reset();
  delete st->context;
  st->context = nullptr;
  while (!st->handles.empty()) CloseHandle(*st, st->handles.begin()->second);
  for (int fd : st->fds) close(fd);
  st->fds.clear();
  if (st->closing == 0) FinishTeardown(st);
}

bool ArgId(const Napi::CallbackInfo &info, PollHandle *&out) {
  int64_t id;
  if (!ArgInt64(info, 0, "watcher id", 0, UINT32_MAX, id)) return false;
  WatcherState &st = State(info.Env());
  auto it = st.handles.find(static_cast<uint32_t>(id));
  if (it == st.handles.end()) {
    ThrowRange(info.Env(), "no such watcher (already closed)");
    return false;
  }
  out = it->second;
  return true;
}

// poll_init(dispatch): registers this environment's dispatcher and the teardown hook.
Napi::Value PollInit(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) return ThrowType(env, "poll_init() expects a function");
  WatcherState &st = State(env);
  st.dispatch = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// poll_open(fd) -> id. uv_poll_init on this environment's loop.
Napi::Value PollOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, fd)) return Napi::Value();
  WatcherState &st = State(env);
  if (st.tearingDown) return ThrowErrno(env, EBADF, "uv_poll_init");
  auto *ph = new PollHandle();
  ph->state = &st;
  int r = uv_poll_init(st.loop, &ph->poll, fd);
  if (r < 0) {
    delete ph;
    return ThrowErrno(env, -r, "uv_poll_init");
  }
  ph->poll.data = ph;
  do {
    ph->id = st.nextId++;
  } while (ph->id == 0 || st.handles.count(ph->id));
  st.handles[ph->id] = ph;
  return Napi::Number::New(env, ph->id);
}

// poll_start(id, events): watch UV_READABLE (1) | UV_WRITABLE (2); 0 stops watching, so
// the handle no longer keeps the loop alive.
Napi::Value PollStart(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  PollHandle *ph;
  int events;
  if (!ArgId(info, ph) || !ArgInt(info, 1, "events", events)) return Napi::Value();
  int r = (events & (UV_READABLE | UV_WRITABLE)) == 0
              ? uv_poll_stop(&ph->poll)
              : uv_poll_start(&ph->poll, events & (UV_READABLE | UV_WRITABLE), OnPoll);
  if (r < 0) return ThrowErrno(env, -r, "uv_poll_start");
  return env.Undefined();
}

// poll_close(id): stops and closes the handle. The fd may be closed right after.
Napi::Value PollClose(const Napi::CallbackInfo &info) {
  PollHandle *ph;
  if (!ArgId(info, ph)) return Napi::Value();
  CloseHandle(State(info.Env()), ph);
  return info.Env().Undefined();
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
  State(env).fds.insert(fd);
}
void UntrackFd(Napi::Env env, int fd) {
  State(env).fds.erase(fd);
}

void InitWatchers(Napi::Env env, Napi::Object exports, WatcherState &st) {
  st.env = env;
  napi_get_uv_event_loop(env, &st.loop);
  st.context = new Napi::AsyncContext(env, "bsdsock:poll");
  napi_add_async_cleanup_hook(env, Teardown, &st, nullptr);
  SetFunctions(env, exports,
               {
                   {"poll_init", PollInit},
                   {"poll_open", PollOpen},
                   {"poll_start", PollStart},
                   {"poll_close", PollClose},
                   {"release", Release},
               });
}

}  // namespace bsdsock

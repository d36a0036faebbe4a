// Per-environment state of the bsdsock addon, and the registration hooks of every file.
//
// The addon is context-aware: every worker_thread that loads it gets its own Addon, and
// nothing static holds a JS value.
#pragma once

#include <napi.h>

#include <initializer_list>

#include "watcher.h"

namespace bsdsock {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  // The error factories that lib/errors.ts hands over through `init()`.
  // Native code throws every OS error through them, so it builds the same
  // classes as lib/ (see errors.h).
  Napi::FunctionReference oserror;   // (errno, strerror, syscall, bytesSent?) -> OSError subclass
  Napi::FunctionReference timeout;   // (syscall, bytesSent?) -> TimeoutError('timed out')
  Napi::FunctionReference gaierror;  // (code, message) -> gaierror
  Napi::FunctionReference herror;    // (code, message) -> herror
  // A native no-op: calling it fails once the environment is stopping (EnvStopping).
  Napi::FunctionReference noop;

  // The fds this environment owns (watcher.h). Heap-allocated and freed by the teardown
  // hook, which may run after the Addon itself is gone.
  WatcherState *watchers;

  // Where accept() leaves an AF_INET peer's port and address (6 bytes, network order) for
  // lib to build the address from: a buffer lib reads as `accept_address`.
  uint8_t *acceptAddress = nullptr;
  Napi::Reference<Napi::ArrayBuffer> acceptAddressRef;

 private:
  Napi::Value SetErrorFactories(const Napi::CallbackInfo &info);
};

// One exported native function, and the one way every file registers its functions.
struct Export {
  const char *name;
  Napi::Function::Callback cb;
};
void SetFunctions(Napi::Env env, Napi::Object exports, std::initializer_list<Export> fns);

// Registration hooks of the other translation units.
void InitConstants(Napi::Env env, Napi::Object exports);
void InitFds(Napi::Env env, Napi::Object exports);
void InitSyscalls(Napi::Env env, Napi::Object exports, Addon &addon);
void InitFunctions(Napi::Env env, Napi::Object exports);
void InitMessages(Napi::Env env, Napi::Object exports);
void InitFilters(Napi::Env env, Napi::Object exports);

}  // namespace bsdsock

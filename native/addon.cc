// Module entry point: creates the per-environment Addon and registers every export.
#include "addon.h"

#include "engine.h"
#include "errors.h"
#include "ring.h"
#include "select.h"
#include "sock_call.h"

namespace bsdsock {

Addon::Addon(Napi::Env env, Napi::Object exports) : watchers(new WatcherState()) {
  noop = Napi::Persistent(
      Napi::Function::New(env, [](const Napi::CallbackInfo &info) { return info.Env().Undefined(); }));
  DefineAddon(exports, {InstanceMethod("init", &Addon::SetErrorFactories)});
  InitConstants(env, exports);
  InitFds(env, exports);
  InitSyscalls(env, exports, *this);
  InitFunctions(env, exports);
  InitMessages(env, exports);
  InitFilters(env, exports);
  InitRings(env, exports);
  InitWatchers(env, exports, *watchers);
  InitSelect(env, exports);
  InitEngine(env, exports);
}

// init({ oserror, timeout, gaierror, herror }, isMainThread): called once by lib/native.ts
// before any socket call, with the error factories of lib/errors.ts, on the thread of
// this environment. isMainThread lets blocking calls sleep in the kernel (sock_call.h).
Napi::Value Addon::SetErrorFactories(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    return ThrowType(env, "init() expects an object of error factories");
  }
  Napi::Object f = info[0].As<Napi::Object>();
  const char *names[] = {"oserror", "timeout", "gaierror", "herror"};
  Napi::FunctionReference *refs[] = {&oserror, &timeout, &gaierror, &herror};
  for (size_t i = 0; i < 4; i++) {
    Napi::Value v = f.Get(names[i]);
    if (env.IsExceptionPending()) return env.Undefined();
    if (!v.IsFunction()) {
      return ThrowType(env, std::string("init(): ") + names[i] + " must be a function");
    }
    *refs[i] = Napi::Persistent(v.As<Napi::Function>());
  }
  SetMainThread(info.Length() > 1 && info[1].ToBoolean());
  return env.Undefined();
}

void SetFunctions(Napi::Env env, Napi::Object exports, std::initializer_list<Export> fns) {
  for (const Export &f : fns) exports.Set(f.name, Napi::Function::New(env, f.cb, f.name));
}

bool EnvStopping(napi_env env) {
  Addon *addon = nullptr;
  if (napi_get_instance_data(env, reinterpret_cast<void **>(&addon)) != napi_ok || !addon ||
      addon->noop.IsEmpty())
    return false;
  napi_value global, result;
  if (napi_get_global(env, &global) != napi_ok) return true;
  // Node refuses calls into JS once a worker is being terminated (or the process exits).
  napi_status st = napi_call_function(env, global, addon->noop.Value(), 0, nullptr, &result);
  return st != napi_ok;
}

}  // namespace bsdsock

using bsdsock::Addon;
NODE_API_ADDON(Addon)

// Module entry point: creates the per-environment Addon and registers every export.
#include "addon.h"

namespace bsdsock {

Addon::Addon(Napi::Env env, Napi::Object exports) : watchers(new WatcherState()) {
  DefineAddon(exports, {InstanceMethod("init", &Addon::SetErrorFactories)});
  InitConstants(env, exports);
  InitSyscalls(env, exports);
  InitFunctions(env, exports);
  InitMessages(env, exports);
  InitFilters(env, exports);
  InitWatchers(env, exports, *watchers);
}

// init({ oserror, timeout, gaierror, herror }): called once by lib/native.ts
// before any socket call, with the error factories of lib/errors.ts.
Napi::Value Addon::SetErrorFactories(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "init() expects an object of error factories").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object f = info[0].As<Napi::Object>();
  const char* names[] = {"oserror", "timeout", "gaierror", "herror"};
  Napi::FunctionReference* refs[] = {&oserror, &timeout, &gaierror, &herror};
  for (size_t i = 0; i < 4; i++) {
    Napi::Value v = f.Get(names[i]);
    if (env.IsExceptionPending()) return env.Undefined();
    if (!v.IsFunction()) {
      Napi::TypeError::New(env, std::string("init(): ") + names[i] + " must be a function")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    *refs[i] = Napi::Persistent(v.As<Napi::Function>());
  }
  return env.Undefined();
}

}  // namespace bsdsock

using bsdsock::Addon;
NODE_API_ADDON(Addon)

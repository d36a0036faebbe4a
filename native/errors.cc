// Error raising through the factories of lib/errors.ts (see errors.h).
#include "errors.h"

#include <cerrno>
#include <netdb.h>

#include <cstring>

#include "addon.h"

namespace bsdsock {

namespace {

Napi::Value ThrowFrom(Napi::Env env, Napi::FunctionReference& factory,
                      std::initializer_list<napi_value> args, const char* fallback) {
  if (env.IsExceptionPending()) return Napi::Value();
  if (factory.IsEmpty()) {
    // Only reachable if the binding is used without lib/native.ts.
    Napi::Error::New(env, fallback).ThrowAsJavaScriptException();
    return Napi::Value();
  }
  Napi::Value err = factory.Call(args);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
  return Napi::Value();
}

}  // namespace

Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, double bytesSent) {
  Addon* addon = env.GetInstanceData<Addon>();
  return ThrowFrom(env, addon->oserror,
                   {Napi::Number::New(env, err), Napi::String::New(env, syscall),
                    bytesSent >= 0 ? Napi::Number::New(env, bytesSent) : env.Undefined()},
                   strerror(err));
}

Napi::Value ThrowTimeout(Napi::Env env, const char* syscall, double bytesSent) {
  Addon* addon = env.GetInstanceData<Addon>();
  return ThrowFrom(env, addon->timeout,
                   {Napi::String::New(env, syscall),
                    bytesSent >= 0 ? Napi::Number::New(env, bytesSent) : env.Undefined()},
                   "timed out");
}

Napi::Value ThrowGaiError(Napi::Env env, int code) {
  Addon* addon = env.GetInstanceData<Addon>();
  return ThrowFrom(env, addon->gaierror,
                   {Napi::Number::New(env, code), Napi::String::New(env, gai_strerror(code))},
                   gai_strerror(code));
}

Napi::Value ThrowHError(Napi::Env env, int code) {
  Addon* addon = env.GetInstanceData<Addon>();
  return ThrowFrom(env, addon->herror,
                   {Napi::Number::New(env, code), Napi::String::New(env, hstrerror(code))},
                   hstrerror(code));
}

Napi::Value ThrowType(Napi::Env env, const std::string& msg) {
  if (!env.IsExceptionPending()) Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return Napi::Value();
}

Napi::Value ThrowRange(Napi::Env env, const std::string& msg) {
  if (!env.IsExceptionPending()) Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  return Napi::Value();
}

}  // namespace bsdsock

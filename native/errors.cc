// Error objects built through the factories of lib/errors.ts (see errors.h).
#include "errors.h"

#include <netdb.h>

#include <cerrno>
#include <cstring>

#include "addon.h"

namespace bsdsock {

namespace {

// Calls `factory` and returns the error object (empty with an exception pending if the
// factory itself threw). Falls back to a plain Error if lib/ never called init().
Napi::Value Build(Napi::Env env, Napi::FunctionReference& factory, std::initializer_list<napi_value> args,
                  const char* fallback) {
  if (factory.IsEmpty()) return Napi::Error::New(env, fallback).Value();
  return factory.Call(args);
}

Napi::Value Throw(Napi::Env env, Napi::Value err) {
  if (!env.IsExceptionPending() && !err.IsEmpty()) Napi::Error(env, err).ThrowAsJavaScriptException();
  return Napi::Value();
}

Napi::Value Optional(Napi::Env env, double n) { return n >= 0 ? Napi::Number::New(env, n) : env.Undefined(); }

}  // namespace

Napi::Value NewErrno(Napi::Env env, int err, const char* syscall, double bytesSent) {
  return Build(env, env.GetInstanceData<Addon>()->oserror,
               {Napi::Number::New(env, err), Napi::String::New(env, syscall), Optional(env, bytesSent)},
               strerror(err));
}

Napi::Value NewTimeout(Napi::Env env, const char* syscall, double bytesSent) {
  return Build(env, env.GetInstanceData<Addon>()->timeout, {Napi::String::New(env, syscall), Optional(env, bytesSent)},
               "timed out");
}

Napi::Value NewGaiError(Napi::Env env, int code, int savedErrno) {
  // EAI_SYSTEM means "look at errno": Python raises a plain OSError from it.
  if (code == EAI_SYSTEM) return NewErrno(env, savedErrno, "getaddrinfo");
  return Build(env, env.GetInstanceData<Addon>()->gaierror,
               {Napi::Number::New(env, code), Napi::String::New(env, gai_strerror(code))}, gai_strerror(code));
}

Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, double bytesSent) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewErrno(env, err, syscall, bytesSent));
}

Napi::Value ThrowTimeout(Napi::Env env, const char* syscall, double bytesSent) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewTimeout(env, syscall, bytesSent));
}

Napi::Value ThrowGaiError(Napi::Env env, int code, int savedErrno) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewGaiError(env, code, savedErrno));
}

Napi::Value ThrowHError(Napi::Env env, int code) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, Build(env, env.GetInstanceData<Addon>()->herror,
                          {Napi::Number::New(env, code), Napi::String::New(env, hstrerror(code))}, hstrerror(code)));
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

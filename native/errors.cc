// Error objects built through the factories of lib/errors.ts (see errors.h).
#include "errors.h"

#include <netdb.h>

#include <cerrno>
#include <cstring>

#include "addon.h"

namespace bsdsock {

namespace {

// Calls `factory` and returns the error object. Returns empty if the call fails: the
// factory threw (the exception stays pending) or the environment is stopping (a worker
// being terminated, where no JS may run). Raw N-API on purpose: node-addon-api treats a
// failed call or throw as fatal when C++ exceptions are off.
Napi::Value Build(Napi::Env env, Napi::FunctionReference &factory, std::initializer_list<napi_value> args,
                  const char *fallback) {
  napi_value result = nullptr;
  if (factory.IsEmpty()) {
    napi_value msg;
    if (napi_create_string_utf8(env, fallback, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
        napi_create_error(env, nullptr, msg, &result) != napi_ok)
      return Napi::Value();
    return Napi::Value(env, result);
  }
  napi_value recv;
  if (napi_get_undefined(env, &recv) != napi_ok) return Napi::Value();
  if (napi_call_function(env, recv, factory.Value(), args.size(), args.begin(), &result) != napi_ok)
    return Napi::Value();
  return Napi::Value(env, result);
}

Napi::Value Throw(Napi::Env env, Napi::Value err) {
  if (!err.IsEmpty() && !env.IsExceptionPending()) napi_throw(env, err);
  return Napi::Value();
}

Napi::Value Optional(Napi::Env env, double n) {
  return n >= 0 ? Napi::Number::New(env, n) : env.Undefined();
}

Napi::Value NewErrnoText(Napi::Env env, int err, const std::string &text, const char *syscall,
                         double bytesSent) {
  return Build(env, env.GetInstanceData<Addon>()->oserror,
               {Napi::Number::New(env, err), Napi::String::New(env, text), Napi::String::New(env, syscall),
                Optional(env, bytesSent)},
               text.c_str());
}

}  // namespace

Napi::Value NewErrno(Napi::Env env, int err, const char *syscall, double bytesSent) {
  return NewErrnoText(env, err, strerror(err), syscall, bytesSent);
}

Napi::Value NewTimeout(Napi::Env env, const char *syscall, double bytesSent) {
  return Build(env, env.GetInstanceData<Addon>()->timeout,
               {Napi::String::New(env, syscall), Optional(env, bytesSent)}, "timed out");
}

Napi::Value NewGaiError(Napi::Env env, int code, int savedErrno, const char *syscall) {
  // EAI_SYSTEM means "look at errno": Python raises a plain OSError from it.
  if (code == EAI_SYSTEM) return NewErrno(env, savedErrno, syscall);
  return Build(env, env.GetInstanceData<Addon>()->gaierror,
               {Napi::Number::New(env, code), Napi::String::New(env, gai_strerror(code)),
                Napi::String::New(env, syscall)},
               gai_strerror(code));
}

Napi::Value ThrowErrno(Napi::Env env, int err, const char *syscall, double bytesSent) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewErrno(env, err, syscall, bytesSent));
}

Napi::Value ThrowErrnoText(Napi::Env env, int err, const std::string &text, const char *syscall) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewErrnoText(env, err, text, syscall, -1));
}

Napi::Value ThrowTimeout(Napi::Env env, const char *syscall, double bytesSent) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewTimeout(env, syscall, bytesSent));
}

Napi::Value ThrowGaiError(Napi::Env env, int code, int savedErrno, const char *syscall) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(env, NewGaiError(env, code, savedErrno, syscall));
}

Napi::Value ThrowHError(Napi::Env env, int code) {
  if (env.IsExceptionPending()) return Napi::Value();
  return Throw(
      env, Build(env, env.GetInstanceData<Addon>()->herror,
                 {Napi::Number::New(env, code), Napi::String::New(env, hstrerror(code))}, hstrerror(code)));
}

Napi::Value ThrowStatus(Napi::Env env, CallStatus st, int err, const char *syscall, double bytesSent) {
  switch (st) {
    case CallStatus::kTimedOut:
      return ThrowTimeout(env, syscall, bytesSent);
    case CallStatus::kWouldBlock:
      return ThrowErrno(env, EAGAIN, syscall, bytesSent);
    case CallStatus::kError:
    case CallStatus::kOk:  // not a failure; callers never pass it
      break;
  }
  return ThrowErrno(env, err, syscall, bytesSent);
}

Napi::Value StatusResult(Napi::Env env, CallStatus st, int err, const char *syscall, ssize_t result) {
  if (st == CallStatus::kOk) return Napi::Number::New(env, static_cast<double>(result));
  if (st == CallStatus::kWouldBlock) return Napi::Number::New(env, kWouldBlock);
  return ThrowStatus(env, st, err, syscall);
}

Napi::Value ThrowType(Napi::Env env, const std::string &msg) {
  if (!env.IsExceptionPending()) napi_throw_type_error(env, nullptr, msg.c_str());
  return Napi::Value();
}

Napi::Value ThrowRange(Napi::Env env, const std::string &msg) {
  if (!env.IsExceptionPending()) napi_throw_range_error(env, nullptr, msg.c_str());
  return Napi::Value();
}

}  // namespace bsdsock

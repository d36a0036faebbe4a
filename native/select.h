// Python's select module (select(2), poll(2), epoll(7)): the native half of lib/select.ts.
#pragma once

#include <napi.h>

namespace bsdsock {

// Registers select, poll, epoll_create, epoll_adopt, epoll_ctl, epoll_wait and FD_SETSIZE.
void InitSelect(Napi::Env env, Napi::Object exports);

}  // namespace bsdsock

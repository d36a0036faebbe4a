// The per-environment epoll engine (see engine.h).
//
// Raw N-API throughout: these functions sit on the hot path of every waiting call, and
// once a worker is being terminated calls into JS fail, which node-addon-api would turn
// into a fatal error.
#include "engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "addon.h"
#include "args.h"
#include "errors.h"
#include "sockaddr.h"
#include "watcher.h"

namespace bsdsock {

namespace {

// Read interest includes EPOLLRDHUP, so a harvest can tell a socket shut down for reading
// (see ShutDownResult).
uint32_t EpollMask(int want) {
  return ((want & kRead) ? EPOLLIN | EPOLLRDHUP : 0u) | ((want & kWrite) ? EPOLLOUT : 0u);
}

// An armed call that found nothing although epoll reported the socket shut down for reading
// (`hup`: EPOLLRDHUP or EPOLLHUP): a datagram socket after shutdown(SHUT_RD) or an AF_UNIX listener after
// shutdown() stays readable while recv(2) and accept4(2) say EAGAIN, so left armed the call would wake the
// loop forever. It completes as the blocking call does: a receive with 0 bytes, an accept with EINVAL.
// Returns false (stay armed) for any other wake-up.
bool ShutDownResult(bool hup, bool accept, int32_t &result) {
  if (!hup) return false;
  result = accept ? -EINVAL : 0;
  return true;
}

void ApplyQueued(Engine &e);
bool Arm(Engine &e, uint32_t id, uint8_t kind, int &err);

// Frees the engine at the end of environment teardown and tells Node the engine's async
// cleanup is complete. Only then may Node go on to destroy the environment and unload the
// addon: a close callback still queued on the loop must not outlive the addon's code (a
// worker terminated while it loaded the addon crashed in one).
void Finish(Engine *e) {
  napi_async_cleanup_hook_handle hook = e->hook;
  delete e;
  if (hook) napi_remove_async_cleanup_hook(hook);
}

// The handle's data is the Engine only when teardown waits for this close to free it.
void OnHandleClosed(uv_handle_t *h) {
  auto *e = static_cast<Engine *>(h->data);
  delete reinterpret_cast<uv_poll_t *>(h);
  if (e) Finish(e);
}

// Environment teardown: stops and closes the handle and the epoll instance, and frees the
// engine (in the handle's close callback if there is a handle, else now).
void StopPoll(Engine &e) {
  uv_poll_t *p = e.poll;
  e.poll = nullptr;
  // libuv drops the epoll fd from its own set in uv_poll_stop: only then may it be closed.
  if (p) uv_poll_stop(p);
  if (e.epfd >= 0) close(e.epfd);
  e.epfd = -1;
  if (!p) {
    Finish(&e);
    return;
  }
  p->data = &e;
  uv_close(reinterpret_cast<uv_handle_t *>(p), OnHandleClosed);
}

// References the handle while some slot has a waiter (an idle socket must not keep the
// process alive), unreferences it otherwise.
void UpdateRef(Engine &e) {
  if (!e.poll) return;
  bool want = e.waiting > 0;
  if (want == e.pollRef) return;
  if (want)
    uv_ref(reinterpret_cast<uv_handle_t *>(e.poll));
  else
    uv_unref(reinterpret_cast<uv_handle_t *>(e.poll));
  e.pollRef = want;
}

void SetWant(Engine &e, EngineSlot &s, int want) {
  if ((s.want != 0) != (want != 0)) {
    if (want)
      e.waiting++;
    else
      e.waiting--;
  }
  s.want = want;
  UpdateRef(e);
}

void Disarm(EngineSlot &s) {
  s.armed = 0;
}

// Removes the slot's registration (before its fd is closed or when nothing is wanted).
void Unregister(Engine &e, EngineSlot &s) {
  if (!s.registered) return;
  epoll_event ev = {};
  // ENOENT/EBADF: the fd was closed behind our back; the kernel dropped the entry with it.
  epoll_ctl(e.epfd, EPOLL_CTL_DEL, s.fd, &ev);
  s.registered = false;
  s.epmask = 0;
}

// Performs the armed receive of slot `id` into element `id` of `armed` (lib's array of
// armed buffers). Returns the count, or -errno (-EAGAIN: still not ready).
ssize_t DoRecv(Engine &e, EngineSlot &s, uint32_t id, napi_value armed) {
  napi_value buf;
  uint8_t *data = nullptr;
  size_t len = 0;
  if (armed == nullptr || napi_get_element(e.env, armed, id, &buf) != napi_ok || buf == nullptr)
    return -EFAULT;
  if (!GetBytes(Napi::Env(e.env), Napi::Value(e.env, buf), "buffer", data, len)) {
    bool pending;
    napi_value ignored;
    if (napi_is_exception_pending(e.env, &pending) == napi_ok && pending)
      napi_get_and_clear_last_exception(e.env, &ignored);
    return -EFAULT;
  }
  // A buffer detached (transferred) while the call waited has no memory any more.
  if (len < s.rlen) return -EFAULT;
  for (;;) {
    ssize_t r = recv(s.fd, data, s.rlen, s.rflags | MSG_DONTWAIT);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    return -(errno == EWOULDBLOCK ? EAGAIN : errno);
  }
}

// accept4(2) on the listener of slot `s`, the new fd non-blocking and close-on-exec (the
// async socket's mode). Returns the fd (owned by this environment from now on) or -errno
// (-EAGAIN: nothing to accept). An AF_INET peer's address (a << 24 | b << 16 | c << 8 | d
// for a.b.c.d) and port go to `addr` and `port`; another family's peer goes to `ss`/`len`
// and `port` is -1.
int AcceptOne(napi_env env, int fd, sockaddr_storage &ss, socklen_t &len, int32_t &addr, int32_t &port) {
  int r;
  do {
    len = sizeof(ss);
    r = accept4(fd, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -(errno == EWOULDBLOCK ? EAGAIN : errno);
  TrackFd(Napi::Env(env), r);
  if (len >= sizeof(sockaddr_in) && ss.ss_family == AF_INET) {
    const auto *sin = reinterpret_cast<const sockaddr_in *>(&ss);
    addr = static_cast<int32_t>(ntohl(sin->sin_addr.s_addr));
    port = ntohs(sin->sin_port);
  } else {
    addr = 0;
    port = -1;
  }
  return r;
}

// Whether a connection is queued on listener `fd` (poll(2), timeout 0). An error or
// POLLERR/POLLHUP also says yes: accept4 then reports it.
bool ListenerReady(int fd) {
  pollfd p = {fd, POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r != 0;
}

// Performs the armed accept of slot `s` for batch entry `out`: false when nothing was
// there (still armed), else true with the fd (or -errno) in `result` and the AF_INET
// peer in `addr` and `port` (another family's is kept in peers[out]).
bool DoAccept(Engine &e, EngineSlot &s, int out, int32_t &result, int32_t &addr, int32_t &port) {
  sockaddr_storage ss;
  socklen_t len;
  int r = AcceptOne(e.env, s.fd, ss, len, addr, port);
  if (r == -EAGAIN) return false;
  if (r >= 0 && port < 0) {
    if (e.peers.size() <= static_cast<size_t>(out)) e.peers.resize(static_cast<size_t>(out) + 1);
    e.peers[out] = {ss, len};
  }
  if (r >= 0) e.accepts++;
  result = r;
  return true;
}

// After a dispatch: closes every accepted fd lib did not claim (its waiter or listener
// went away during the dispatch, or JS could not run at all).
void CloseUnclaimed(Engine &e, int count) {
  if (e.accepts == 0) return;
  e.accepts = 0;
  for (int i = 0; i < count; i++) {
    int32_t *p = e.batch + i * kEntryInts;
    if ((p[1] & kAcceptDone) && p[2] >= 0) {
      UntrackFd(Napi::Env(e.env), p[2]);
      close(p[2]);
      p[2] = -EBADF;
    }
  }
}

void Dispatch(Engine &e, int count) {
  napi_env env = e.env;
  napi_value fn, recv, arg, result;
  if (napi_get_reference_value(env, e.dispatch, &fn) != napi_ok || fn == nullptr) return;
  if (napi_get_global(env, &recv) != napi_ok || napi_create_int32(env, count, &arg) != napi_ok) return;
  e.inDispatch = true;
  e.batch[kQueueAt] = 1;  // lib may queue arms (see engine.h)
  napi_status st = napi_make_callback(env, e.context, recv, fn, 1, &arg, &result);
  e.batch[kQueueAt] = 0;
  e.inDispatch = false;
  ApplyQueued(e);
  bool pending = false;
  if (st != napi_ok && napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    // The dispatcher catches everything; if something still escaped, report it the way
    // Node reports an uncaught exception instead of leaving it pending here.
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
}

// Slots freed during a dispatch are reused only after it, so a batch entry can never
// reach a socket that took over the slot (or the fd number) within the same batch.
std::vector<uint32_t> &Deferred() {
  thread_local std::vector<uint32_t> v;
  return v;
}

// Writes batch entry `out` (slot, events, result, and an accepted peer's address and port).
void Entry(Engine &e, int out, uint32_t id, int report, int32_t result, int32_t addr = 0, int32_t port = 0) {
  int32_t *p = e.batch + out * kEntryInts;
  p[0] = static_cast<int32_t>(id);
  p[1] = report;
  p[2] = result;
  p[3] = addr;
  p[4] = port;
}

int32_t ClampCount(ssize_t r) {
  return static_cast<int32_t>(r > INT32_MAX ? INT32_MAX : r);
}

// The wake-up when one slot has a waiter and it is an armed receive or accept: that call is
// the only thing the wake-up can be for (or a direction being dropped lazily), so it is
// tried at once, without epoll_wait. Returns the entries written: 1, or 0 when the call
// found nothing and the caller must harvest as usual. The engine's epoll instance keeps the
// socket on its ready list until a later harvest or readiness check drops it; it wakes
// the loop again only while the socket is still readable.
int SoleWaiter(Engine &e, napi_value &armed) {
  if (e.waiting != 1 || e.lastArmed >= e.slots.size()) return 0;
  uint32_t id = e.lastArmed;
  EngineSlot &s = e.slots[id];
  if (!s.armed || s.want != kRead || s.fd < 0 || !s.registered) return 0;
  if (s.armed == kArmAccept) {
    int32_t fd, addr = 0, port = -1;
    if (!DoAccept(e, s, 0, fd, addr, port)) return 0;
    Disarm(s);
    SetWant(e, s, 0);
    Entry(e, 0, id, kAcceptDone, fd, addr, port);
    return 1;
  }
  if (napi_get_reference_value(e.env, e.armedRef, &armed) != napi_ok) armed = nullptr;
  ssize_t r = DoRecv(e, s, id, armed);
  if (r == -EAGAIN) return 0;
  Disarm(s);
  SetWant(e, s, 0);
  Entry(e, 0, id, kRecvDone, ClampCount(r));
  return 1;
}

// One epoll_wait(..., 0) over every registered socket: performs the armed calls of the
// readable ones, drops the directions nobody waits for, and writes the batch. Returns the
// entries written.
int Harvest(Engine &e, napi_value &armed) {
  epoll_event evs[kMaxBatch];
  int n;
  e.harvests++;
  do {
    n = epoll_wait(e.epfd, evs, kMaxBatch, 0);
  } while (n < 0 && errno == EINTR);
  int out = 0;
  for (int i = 0; i < n; i++) {
    uint64_t d = evs[i].data.u64;
    uint32_t id = static_cast<uint32_t>(d);
    if (id >= e.slots.size()) continue;
    EngineSlot &s = e.slots[id];
    if (s.gen != static_cast<uint32_t>(d >> 32) || s.fd < 0 || !s.registered) continue;
    uint32_t ev = evs[i].events;
    bool err = ev & (EPOLLERR | EPOLLHUP);
    bool rd = err || (ev & (EPOLLIN | EPOLLRDHUP));
    bool wr = err || (ev & EPOLLOUT);
    bool hup = ev & (EPOLLRDHUP | EPOLLHUP);  // shut down for reading (see kReadHup)
    bool hadRead = s.armed || (s.want & kRead);
    bool hadWrite = s.want & kWrite;
    bool hadErr = s.want & kErr;
    int report = 0;
    int32_t result = 0, addr = 0, port = 0;
    if (rd && s.armed == kArmAccept) {
      if (DoAccept(e, s, out, result, addr, port) || ShutDownResult(hup, true, result)) {
        Disarm(s);
        SetWant(e, s, s.want & ~kRead);
        report |= kAcceptDone;
      }
    } else if (rd && s.armed) {
      if (armed == nullptr && napi_get_reference_value(e.env, e.armedRef, &armed) != napi_ok) armed = nullptr;
      ssize_t r = DoRecv(e, s, id, armed);
      if (r != -EAGAIN || ShutDownResult(hup, false, result)) {
        Disarm(s);
        SetWant(e, s, s.want & ~kRead);
        report |= kRecvDone;
        if (r != -EAGAIN) result = ClampCount(r);
      }
    } else if (rd && (s.want & kRead)) {
      report |= kRead;
    }
    if (report && hup) report |= kReadHup;  // report holds only read events here
    if (wr && hadWrite) report |= kWrite;
    if ((ev & EPOLLERR) && hadErr) report |= kErr;
    // Drop directions reported with nobody waiting for them (lazily, see engine.h).
    uint32_t drop = ((ev & (EPOLLIN | EPOLLRDHUP)) && !hadRead ? EPOLLIN | EPOLLRDHUP : 0u) |
                    ((ev & EPOLLOUT) && !hadWrite ? EPOLLOUT : 0u);
    uint32_t mask = s.epmask & ~drop;
    // Leave the set: an error or hang-up nobody waits for, which epoll would report on every
    // turn whatever the mask; a reader of the error queue alone on a hung-up socket (the
    // hang-up brings no error: it waits for its timeout, its signal or a close); or nothing
    // left to watch. A reader of the error queue alone otherwise keeps an entry with no
    // events, which still reports EPOLLERR.
    const bool errOnly = hadErr && !hadRead && !hadWrite;
    bool leave = (err && !hadRead && !hadWrite && !hadErr) ||
                 (errOnly && (ev & EPOLLHUP) && !(ev & EPOLLERR)) || (drop && mask == 0 && !hadErr);
    if (leave) {
      Unregister(e, s);
    } else if (drop) {
      epoll_event nev = {};
      nev.events = mask;
      nev.data.u64 = d;
      if (epoll_ctl(e.epfd, EPOLL_CTL_MOD, s.fd, &nev) == 0) s.epmask = mask;
    }
    if (report) Entry(e, out++, id, report, result, addr, port);
  }
  return out;
}

void OnPoll(uv_poll_t *h, int status, int) {
  auto *ep = static_cast<Engine *>(h->data);
  if (!ep || ep->tearingDown || ep->dispatch == nullptr || status < 0) return;
  Engine &e = *ep;
  e.wakeups++;
  napi_handle_scope scope;
  if (napi_open_handle_scope(e.env, &scope) != napi_ok) return;
  napi_value armed = nullptr;  // lib's array of armed buffers, fetched at the first receive
  int out = SoleWaiter(e, armed);
  if (out == 0) out = Harvest(e, armed);
  if (out > 0) {
    e.batches++;
    e.entries += out;
    Dispatch(e, out);
    CloseUnclaimed(e, out);
  }
  napi_close_handle_scope(e.env, scope);
  if (!e.tearingDown) {
    for (uint32_t id : Deferred()) e.freeSlots.push_back(id);
  }
  Deferred().clear();
}

// Creates the epoll instance and its handle (at engine_init, or at the first wait if that
// failed); they last as long as the environment (see EngineClose).
bool StartPoll(Engine &e, int &err) {
  if (e.pollStarted) return true;
  if (e.epfd < 0) {
    e.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (e.epfd < 0) {
      err = errno;
      return false;
    }
  }
  auto *p = new uv_poll_t();
  int r = uv_poll_init(e.loop, p, e.epfd);
  if (r < 0) {
    delete p;
    err = -r;
    return false;
  }
  p->data = &e;
  r = uv_poll_start(p, UV_READABLE, OnPoll);
  if (r < 0) {
    p->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t *>(p), OnHandleClosed);
    err = -r;
    return false;
  }
  e.poll = p;
  e.pollStarted = true;
  e.pollRef = true;
  UpdateRef(e);
  return true;
}

// epoll keys a registration by fd and file, so two socket objects over one fd
// (socket(fileno=) of a live socket's fd) cannot both be registered: ADD says EEXIST. The
// registration passes to slot `id` if the slot that holds it has nothing waiting (it
// registers again, the same way, at its next wait); if it has a waiter, `id` cannot wait
// now: EBUSY (trio raises BusyResourceError there). Without a live holder the entry is
// stale and is taken as it is. A registration taken during a dispatch also ends lib's
// queueing of arms for that dispatch: lib queues only for slots the batch reported, which
// it takes to be registered (see ApplyQueued), and the one given up may be among them.
bool TakeOver(Engine &e, uint32_t id, int fd, int &err) {
  for (size_t j = 0; j < e.slots.size(); j++) {
    EngineSlot &o = e.slots[j];
    if (j == id || o.fd != fd || !o.registered) continue;
    if (o.want != 0 || o.armed) {
      err = EBUSY;
      return false;
    }
    o.registered = false;
    o.epmask = 0;
    if (e.inDispatch) e.batch[kQueueAt] = 0;
    return true;
  }
  return true;
}

// Registers (or widens) the slot's epoll interest to include `want`.
bool Register(Engine &e, uint32_t id, EngineSlot &s, int want, int &err) {
  uint32_t need = EpollMask(want);
  if (s.registered && (need & ~s.epmask) == 0) return true;
  if (!StartPoll(e, err)) return false;
  epoll_event ev = {};
  ev.events = s.epmask | need;
  ev.data.u64 = (static_cast<uint64_t>(s.gen) << 32) | id;
  int op = s.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int r = epoll_ctl(e.epfd, op, s.fd, &ev);
  if (r < 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
    if (!TakeOver(e, id, s.fd, err)) return false;
    r = epoll_ctl(e.epfd, EPOLL_CTL_MOD, s.fd, &ev);
  }
  if (r < 0 && op == EPOLL_CTL_MOD && errno == ENOENT) r = epoll_ctl(e.epfd, EPOLL_CTL_ADD, s.fd, &ev);
  if (r < 0) {
    err = errno;
    return false;
  }
  s.registered = true;
  s.epmask = ev.events;
  return true;
}

// Arms, in order, the receives lib queued during a dispatch (see engine.h), as engine_recv
// would have. lib queues only for a slot the current batch reported readable, which is
// registered for reading: Arm then makes no system call and cannot fail. An entry for a
// slot closed since, or already armed, is skipped (its waiter was settled by the close).
void ApplyQueued(Engine &e) {
  int32_t *q = e.batch + kQueueAt;
  const int32_t count = q[1];
  if (count == 0) return;
  q[1] = 0;
  const int32_t n = count < 0 ? 0 : count > kArmQueue ? kArmQueue : count;
  for (int32_t i = 0; i < n; i++) {
    const int32_t *p = q + 2 + kArmInts * i;
    const auto id = static_cast<uint32_t>(p[0]);
    if (id >= e.slots.size() || p[1] < 0) continue;
    EngineSlot &s = e.slots[id];
    if (s.fd < 0 || s.armed) continue;
    s.rlen = static_cast<uint32_t>(p[1]);
    s.rflags = p[2];
    int err = 0;
    Arm(e, id, kArmRecv, err);
  }
}

void Teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  auto *e = static_cast<Engine *>(arg);
  e->tearingDown = true;
  for (EngineSlot &s : e->slots) Disarm(s);
  if (e->dispatch) napi_delete_reference(e->env, e->dispatch);
  if (e->batchRef) napi_delete_reference(e->env, e->batchRef);
  if (e->armedRef) napi_delete_reference(e->env, e->armedRef);
  e->dispatch = e->batchRef = e->armedRef = nullptr;
  if (e->context) napi_async_destroy(e->env, e->context);
  e->context = nullptr;
  e->hook = hook;
  StopPoll(*e);  // frees e and removes the hook, now or once the handle is closed
}

// ---- argument helpers (raw N-API; lib/aio validates before it calls) ---------------------

// Every engine function starts here: the receives lib queued are armed first (see
// ApplyQueued).
Engine *GetEngine(napi_env env, napi_callback_info info, size_t &argc, napi_value *argv) {
  void *data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok) return nullptr;
  auto *e = static_cast<Engine *>(data);
  if (e && e->batch) ApplyQueued(*e);
  return e;
}

bool ArgSlot(napi_env env, Engine &e, napi_value v, uint32_t &id) {
  if (napi_get_value_uint32(env, v, &id) != napi_ok || id >= e.slots.size() || e.slots[id].fd < 0) {
    napi_throw_range_error(env, nullptr, "no such engine slot (already closed)");
    return false;
  }
  return true;
}

// The slot of a function whose only argument is a slot (engine_disarm, engine_close).
EngineSlot *OneSlot(napi_env env, napi_callback_info info, Engine *&e) {
  size_t argc = 1;
  napi_value argv[1];
  e = GetEngine(env, info, argc, argv);
  uint32_t id;
  if (!e || argc < 1 || !ArgSlot(env, *e, argv[0], id)) return nullptr;
  return &e->slots[id];
}

bool ArgInt32(napi_env env, napi_value v, const char *what, int32_t &out) {
  if (napi_get_value_int32(env, v, &out) != napi_ok) {
    std::string msg = std::string(what) + " must be an integer";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value ThrowErr(napi_env env, int err, const char *syscall) {
  if (err == EBUSY && std::strcmp(syscall, "epoll_ctl") == 0)  // see TakeOver
    ThrowErrnoText(Napi::Env(env), err, "another socket object over this fd is waiting on it", syscall);
  else
    ThrowErrno(Napi::Env(env), err, syscall);
  return nullptr;
}

// engine_init(dispatch, armed) -> Int32Array: registers this environment's dispatcher,
// called as dispatch(n) with n entries of kEntryInts in the returned array (the arm queue
// follows them, see engine.h), and the array in which lib keeps each armed receive's
// buffer at the index of its slot.
napi_value EngineInit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Engine *e = GetEngine(env, info, argc, argv);
  if (!e) return nullptr;
  napi_valuetype t;
  bool isArray = false;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function ||
      napi_is_array(env, argv[1], &isArray) != napi_ok || !isArray) {
    napi_throw_type_error(env, nullptr, "engine_init() expects a function and an array");
    return nullptr;
  }
  if (e->dispatch) napi_delete_reference(env, e->dispatch);
  napi_create_reference(env, argv[0], 1, &e->dispatch);
  if (e->armedRef) napi_delete_reference(env, e->armedRef);
  napi_create_reference(env, argv[1], 1, &e->armedRef);
  napi_value ab, arr;
  if (!e->batchRef) {
    void *data;
    if (napi_create_arraybuffer(env, sizeof(int32_t) * (kQueueAt + kQueueInts), &data, &ab) != napi_ok)
      return nullptr;
    e->batch = static_cast<int32_t *>(data);
    napi_create_reference(env, ab, 1, &e->batchRef);
  } else {
    napi_get_reference_value(env, e->batchRef, &ab);
  }
  if (napi_create_typedarray(env, napi_int32_array, kQueueAt + kQueueInts, ab, 0, &arr) != napi_ok)
    return nullptr;
  // The epoll fd and the handle are made now, when lib loads, so that they are there
  // before any code counts its fds (they last as long as the environment, unreferenced
  // while nothing waits). If this fails (EMFILE), the first wait tries again and raises.
  int err = 0;
  StartPoll(*e, err);
  return arr;
}

// A new slot for `fd` (not registered yet).
uint32_t OpenSlot(Engine &e, int fd) {
  uint32_t id;
  if (!e.freeSlots.empty()) {
    id = e.freeSlots.back();
    e.freeSlots.pop_back();
  } else {
    id = static_cast<uint32_t>(e.slots.size());
    e.slots.emplace_back();
  }
  EngineSlot &s = e.slots[id];
  e.used++;
  s.fd = fd;
  s.epmask = 0;
  s.registered = false;
  s.missed = false;
  s.want = 0;
  return id;
}

// Frees slot `id` (its fd is about to be closed or detached, or it was never used).
void FreeSlot(Engine &e, uint32_t id) {
  EngineSlot &s = e.slots[id];
  Disarm(s);
  Unregister(e, s);
  SetWant(e, s, 0);
  s.fd = -1;
  s.gen++;
  if (e.inDispatch)
    Deferred().push_back(id);
  else
    e.freeSlots.push_back(id);
  e.used--;
}

// engine_open(fd) -> slot. No syscall: the fd is registered at its first wait.
napi_value EngineOpen(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Engine *e = GetEngine(env, info, argc, argv);
  int32_t fd;
  if (!e || !ArgInt32(env, argc ? argv[0] : Undefined(env), "fd", fd)) return nullptr;
  if (fd < 0) {
    napi_throw_range_error(env, nullptr, "negative file descriptor");
    return nullptr;
  }
  if (e->tearingDown) return ThrowErr(env, EBADF, "epoll_ctl");
  napi_value r;
  napi_create_uint32(env, OpenSlot(*e, fd), &r);
  return r;
}

// engine_want(slot, directions): the directions JS has waiters for. Adding one registers
// it at once (epoll_ctl); dropping one takes effect lazily (see engine.h).
napi_value EngineWant(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Engine *e = GetEngine(env, info, argc, argv);
  uint32_t id;
  int32_t want;
  if (!e || argc < 2 || !ArgSlot(env, *e, argv[0], id) || !ArgInt32(env, argv[1], "directions", want))
    return nullptr;
  EngineSlot &s = e->slots[id];
  want &= kRead | kWrite | kErr;
  if (s.armed) want |= kRead;  // an armed call is a read waiter
  int err = 0;
  if (want && !Register(*e, id, s, want, err)) return ThrowErr(env, err, "epoll_ctl");
  SetWant(*e, s, want);
  return Undefined(env);
}

// Throws unless slot `s` has nothing armed.
bool AlreadyArmed(napi_env env, const EngineSlot &s) {
  if (!s.armed) return false;
  napi_throw_error(env, nullptr, "a call is already armed on this slot");
  return true;
}

// Arms a call of `kind` on slot `id`: registers its read interest and counts it as a
// waiter. False (errno in `err`) when epoll_ctl fails; nothing is armed then.
bool Arm(Engine &e, uint32_t id, uint8_t kind, int &err) {
  EngineSlot &s = e.slots[id];
  if (!Register(e, id, s, s.want | kRead, err)) return false;
  s.armed = kind;
  e.lastArmed = id;
  SetWant(e, s, s.want | kRead);
  return true;
}

// engine_recv(slot, buffer, nbytes, flags, tryFirst) -> count | WOULD_BLOCK: arms a receive
// of nbytes into buffer, done by the engine when the socket is readable; its count (or
// -errno) comes in the batch (kRecvDone). With tryFirst the receive is first tried at once
// (MSG_DONTWAIT): data gives its count and arms nothing, an error throws (as recv_into),
// and only EAGAIN arms, so a call that may wait costs one crossing, not a try and an arm.
// Without it (and after EAGAIN) the result is WOULD_BLOCK: armed. lib puts the buffer at
// index `slot` of its armed array (engine_init) once this returns armed; the engine looks
// it up there at completion (and checks its length again: a buffer detached or replaced
// meanwhile gives EFAULT, never a write out of bounds). `slot` may instead be -1 - fd for a
// socket that has no slot yet (with tryFirst only): a receive that finds data then makes
// no slot at all (no engine_open, no engine_close at close), and one that must wait gets
// a slot here and returns kArmedIn - slot.
napi_value EngineRecv(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  Engine *e = GetEngine(env, info, argc, argv);
  uint32_t id = 0;
  int32_t n, flags, which = 0;
  if (!e || argc < 4 || !ArgInt32(env, argv[0], "slot", which)) return nullptr;
  bool tryFirst = false;
  if (argc >= 5 && napi_get_value_bool(env, argv[4], &tryFirst) != napi_ok) tryFirst = false;
  // -1 - fd: a socket without a slot yet; one is made only if the receive must wait.
  const bool noSlot = which < 0;
  if (noSlot && !tryFirst) {
    napi_throw_range_error(env, nullptr, "a receive without a slot must try first");
    return nullptr;
  }
  if ((!noSlot && !ArgSlot(env, *e, argv[0], id)) || !ArgInt32(env, argv[2], "nbytes", n) ||
      !ArgInt32(env, argv[3], "flags", flags))
    return nullptr;
  uint8_t *data;
  size_t len;
  if (!GetBytes(Napi::Env(env), Napi::Value(env, argv[1]), "buffer", data, len)) return nullptr;
  if (n < 0 || static_cast<size_t>(n) > len) {
    napi_throw_range_error(env, nullptr, "nbytes out of range for the buffer");
    return nullptr;
  }
  const int fd = noSlot ? -1 - which : e->slots[id].fd;
  if (!noSlot && AlreadyArmed(env, e->slots[id])) return nullptr;
  napi_value r;
  if (tryFirst) {
    ssize_t got;
    do {
      got = recv(fd, data, static_cast<size_t>(n), flags | MSG_DONTWAIT);
    } while (got < 0 && errno == EINTR);
    if (got >= 0) {
      napi_create_double(env, static_cast<double>(got), &r);
      return r;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) return ThrowErr(env, errno, "recv");
  }
  if (noSlot) {
    if (e->tearingDown) return ThrowErr(env, EBADF, "epoll_ctl");
    id = OpenSlot(*e, fd);
  }
  EngineSlot &s = e->slots[id];
  int err = 0;
  s.rlen = static_cast<uint32_t>(n);
  s.rflags = flags;
  if (!Arm(*e, id, kArmRecv, err)) {
    if (noSlot) FreeSlot(*e, id);
    return ThrowErr(env, err, "epoll_ctl");
  }
  napi_create_int32(env, noSlot ? kArmedIn - static_cast<int32_t>(id) : kWouldBlock, &r);
  return r;
}

// engine_accept(slot, tryFirst) -> fd | [fd, address] | WOULD_BLOCK: arms an accept,
// done by the engine (accept4(2), SOCK_NONBLOCK | SOCK_CLOEXEC) when the listener is
// readable; the fd (or -errno) and the peer come in the batch (kAcceptDone). With
// tryFirst the accept is first tried at once: a connection gives its fd, as accept()
// does (an AF_INET peer's port and address in accept_address, another family's as
// [fd, address]) and arms nothing, an error throws, and only EAGAIN arms: one crossing.
napi_value EngineAccept(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Engine *e = GetEngine(env, info, argc, argv);
  uint32_t id;
  if (!e || argc < 1 || !ArgSlot(env, *e, argv[0], id)) return nullptr;
  bool tryFirst = false;
  if (argc >= 2 && napi_get_value_bool(env, argv[1], &tryFirst) != napi_ok) tryFirst = false;
  EngineSlot &s = e->slots[id];
  if (AlreadyArmed(env, s)) return nullptr;
  napi_value r;
  if (tryFirst) {
    sockaddr_storage ss;
    socklen_t len;
    int32_t addr = 0, port = -1;
    // A failed accept4(2) is not cheap: the kernel makes the new socket and its file before
    // it looks at the queue, and frees them again. After a try that found nothing, a
    // poll(2) with timeout 0 (which allocates nothing) says first whether a connection is
    // queued; while tries succeed (a server with a backlog) accept4 goes first.
    int fd = -EAGAIN;
    if (!s.missed || ListenerReady(s.fd)) fd = AcceptOne(env, s.fd, ss, len, addr, port);
    s.missed = fd == -EAGAIN;
    if (fd >= 0) {
      Napi::Env nenv(env);
      uint8_t *out = nenv.GetInstanceData<Addon>()->acceptAddress;
      if (port >= 0 && out) {
        uint32_t a = static_cast<uint32_t>(addr);
        const uint8_t bytes[6] = {static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port),
                                  static_cast<uint8_t>(a >> 24),   static_cast<uint8_t>(a >> 16),
                                  static_cast<uint8_t>(a >> 8),    static_cast<uint8_t>(a)};
        memcpy(out, bytes, sizeof(bytes));
        napi_create_int32(env, fd, &r);
        return r;
      }
      napi_value pair, v;
      napi_create_array_with_length(env, 2, &pair);
      napi_create_int32(env, fd, &v);
      napi_set_element(env, pair, 0, v);
      napi_set_element(env, pair, 1, makesockaddr(nenv, reinterpret_cast<const sockaddr *>(&ss), len));
      return pair;
    }
    if (fd != -EAGAIN) return ThrowErr(env, -fd, "accept");
  }
  int err = 0;
  if (!Arm(*e, id, kArmAccept, err)) return ThrowErr(env, err, "epoll_ctl");
  napi_create_int32(env, kWouldBlock, &r);
  return r;
}

// engine_peer(entry) -> address: the peer of batch entry `entry`, a kAcceptDone entry whose
// port is -1 (a family other than AF_INET), while its batch is being dispatched.
napi_value EnginePeer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Engine *e = GetEngine(env, info, argc, argv);
  uint32_t i;
  if (!e || argc < 1 || napi_get_value_uint32(env, argv[0], &i) != napi_ok || i >= e->peers.size()) {
    if (e) napi_throw_range_error(env, nullptr, "no accepted peer for this entry");
    return nullptr;
  }
  const auto &p = e->peers[i];
  return makesockaddr(Napi::Env(env), reinterpret_cast<const sockaddr *>(&p.first), p.second);
}

// engine_disarm(slot): drops the armed call (its waiter gave up) and with it the read
// interest it implied; JS then says what it still wants with engine_want.
napi_value EngineDisarm(napi_env env, napi_callback_info info) {
  Engine *e;
  EngineSlot *s = OneSlot(env, info, e);
  if (!s) return nullptr;
  if (s->armed) {
    Disarm(*s);
    SetWant(*e, *s, s->want & ~kRead);
  }
  return Undefined(env);
}

// engine_close(slot): the socket is being closed or detached: unregisters the fd (before
// it is closed: a dup of it would otherwise stay registered), drops the armed call and
// frees the slot. Its pending entries are never delivered.
napi_value EngineClose(napi_env env, napi_callback_info info) {
  Engine *e;
  EngineSlot *sp = OneSlot(env, info, e);
  if (!sp) return nullptr;
  // The epoll fd and the handle stay when the last socket goes (the handle unreferenced):
  // a client that opens, uses and closes one socket at a time would otherwise create and
  // close both on every connection (epoll_create1, uv_poll_init's ioctl and epoll_ctl,
  // uv_close), 6 syscalls and a loop turn each time. Environment teardown closes them.
  FreeSlot(*e, static_cast<uint32_t>(sp - e->slots.data()));
  return Undefined(env);
}

// engine_stats() -> [slots in use, slots with a waiter, handle referenced, batches
// dispatched, entries delivered, the epoll fd or -1, harvests (epoll_wait calls), wake-ups]:
// what the tests observe of the engine.
napi_value EngineStats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Engine *e = GetEngine(env, info, argc, nullptr);
  if (!e) return nullptr;
  napi_value arr, v;
  napi_create_array_with_length(env, 8, &arr);
  napi_create_uint32(env, static_cast<uint32_t>(e->used), &v);
  napi_set_element(env, arr, 0, v);
  napi_create_uint32(env, static_cast<uint32_t>(e->waiting), &v);
  napi_set_element(env, arr, 1, v);
  napi_get_boolean(env, e->pollStarted && e->pollRef, &v);
  napi_set_element(env, arr, 2, v);
  napi_create_double(env, e->batches, &v);
  napi_set_element(env, arr, 3, v);
  napi_create_double(env, e->entries, &v);
  napi_set_element(env, arr, 4, v);
  napi_create_int32(env, e->epfd, &v);
  napi_set_element(env, arr, 5, v);
  napi_create_double(env, e->harvests, &v);
  napi_set_element(env, arr, 6, v);
  napi_create_double(env, e->wakeups, &v);
  napi_set_element(env, arr, 7, v);
  return arr;
}

}  // namespace

void InitEngine(Napi::Env env, Napi::Object exports) {
  auto *e = new Engine();
  e->env = env;
  napi_get_uv_event_loop(env, &e->loop);
  napi_value name;
  napi_create_string_utf8(env, "bsdsock:engine", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &e->context);
  napi_add_async_cleanup_hook(env, Teardown, e, nullptr);
  struct {
    const char *name;
    napi_callback cb;
  } fns[] = {{"engine_init", EngineInit},     {"engine_open", EngineOpen},     {"engine_want", EngineWant},
             {"engine_recv", EngineRecv},     {"engine_accept", EngineAccept}, {"engine_peer", EnginePeer},
             {"engine_disarm", EngineDisarm}, {"engine_close", EngineClose},   {"engine_stats", EngineStats}};
  for (auto &f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, e, &fn);
    exports.Set(f.name, Napi::Value(env, fn));
  }
}

}  // namespace bsdsock

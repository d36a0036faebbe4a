// The readiness engine of the async API: one epoll instance per environment (worker),
// watched by one uv_poll_t on that environment's loop.
//
// A socket gets a slot (a small integer, reused after close) the first time it waits.
// Its first wait is one epoll_ctl(ADD), level-triggered, for the directions that have
// waiters. A wake-up of the uv_poll_t harvests every ready socket with one
// epoll_wait(..., 0) and makes one crossing into JS for the whole batch: dispatch(n),
// with the entries in a shared Int32Array (see kEntry* below).
//
// A receive that must wait can be armed in native code (engine_recv): the engine keeps
// the fd, the byte count and the flags (lib keeps the caller's buffer in an array by
// slot that the engine reads at completion), performs
// recv(2) itself when the socket is readable, and delivers the finished count (or
// -errno) in the batch. JS then only settles the promise: no second crossing and no
// retried syscall. An accept that must wait is armed the same way (engine_accept): the
// engine performs accept4(2) on readiness and the batch carries the new fd and, for an
// AF_INET peer, its address and port (other families' addresses wait in the engine for
// engine_peer). An accepted fd that JS does not claim in the dispatch (its waiter or its
// listener went away, or the environment is stopping) is closed by the engine right after
// it, never leaked. Other waits (send, connect, the message calls) are readiness-only:
// the entry says which directions are ready and JS runs the syscall.
//
// Directions nobody waits for any more are dropped lazily: when epoll reports one, the
// engine removes it from the registration (one epoll_ctl(MOD)) instead of reporting it.
// A conversation (wait, serve, wait again) therefore makes no epoll_ctl at all.
//
// A wake-up while exactly one slot has a waiter, an armed receive or accept, skips the
// harvest: the engine tries that call at once (no epoll_wait). Only if it finds nothing (the wake-up
// came from a direction being dropped) does it harvest as usual. A client with one
// connection in a conversation thus pays one system call less per message.
//
// A receive re-armed by the code a dispatch runs costs no crossing either. When a batch
// reports a socket readable and its continuation asks for the next receive (a server's
// recv, send, recv loop), lib writes the arm (slot, byte count, flags) to a queue after the
// batch entries in the shared array instead of calling engine_recv; the engine applies
// the queue in order as soon as the dispatch returns, and before any engine function acts,
// so the queued arms and the calls keep their order. Only a slot reported readable in the
// current batch is queued: it is registered for reading, so arming it makes no system call
// and cannot fail (there is no caller left to throw to).
//
// The uv_poll_t is referenced only while some slot has a waiter, so an idle socket does
// not keep the process alive. The epoll fd and the handle are created when lib loads
// (engine_init) and last as long as the environment: environment teardown (worker exit)
// closes them and drops every buffer reference.
#pragma once

#include <napi.h>
#include <uv.h>

#include <sys/socket.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace bsdsock {

// Directions (the values lib/ uses; they match UV_READABLE/UV_WRITABLE).
constexpr int kRead = 1;
constexpr int kWrite = 2;
// Direction and entry flag: a read of the error queue (MSG_ERRQUEUE) waits. It is woken by
// EPOLLERR alone, which epoll reports without being asked, never by EPOLLIN: data in the
// ordinary receive queue (or a socket shut down for reading) would otherwise wake it on
// every loop turn while its retry says EAGAIN.
constexpr int kErr = 4;
// Entry flag: the armed receive completed; the entry's result holds its count or -errno.
constexpr int kRecvDone = 8;
// Entry flag: the armed accept completed; the entry's result holds the new fd or -errno,
// and for an AF_INET peer the next two values its address (a.b.c.d as a << 24 | ... | d)
// and port; the port is -1 for another family (engine_peer(entry) gives the address).
// lib sets the result to -1 once it owns the fd; else the engine closes it after the
// dispatch.
constexpr int kAcceptDone = 16;
// Entry flag beside kRead, kRecvDone or kAcceptDone: epoll reports the socket shut down for
// reading (EPOLLRDHUP or EPOLLHUP). A datagram socket after shutdown(SHUT_RD) stays readable
// while a non-blocking receive says EAGAIN; lib then gives a waiting receive the value the
// blocking call gets there instead of retrying it on every loop turn.
constexpr int kReadHup = 32;

// engine_recv's result for a socket that had no slot: armed in slot kArmedIn - result.
constexpr int32_t kArmedIn = -16;

// What a slot has armed (EngineSlot::armed).
constexpr uint8_t kArmRecv = 1;
constexpr uint8_t kArmAccept = 2;

// A batch entry is kEntryInts int32 values: slot, events (kRead | kWrite | kRecvDone |
// kAcceptDone | kReadHup), result (the armed call's count or fd, or -errno), and the accepted peer's
// address and port (kAcceptDone only).
constexpr int kEntryInts = 5;
// Most entries one wake-up delivers; more ready sockets wait for the next loop turn
// (level-triggered, so nothing is lost, and epoll rotates its ready list, so the same
// sockets are not always first).
constexpr int kMaxBatch = 1024;

// The arm queue after the batch entries in the shared array (kQueueInts values at
// kQueueAt): [0] is 1 while a dispatch runs (lib queues only then), [1] the number of arms
// queued, then kArmQueue entries of kArmInts values: slot, byte count, flags. lib calls
// engine_recv once the queue is full.
constexpr int kArmQueue = 1024;
constexpr int kArmInts = 3;
constexpr int kQueueAt = kEntryInts * kMaxBatch;
constexpr int kQueueInts = 2 + kArmInts * kArmQueue;

struct EngineSlot {
  int fd = -1;
  uint32_t gen = 0;     // bumped when the slot is freed: stale epoll data is ignored
  uint32_t epmask = 0;  // EPOLLIN/EPOLLOUT currently registered (0 = not registered)
  bool registered = false;
  // The last accept tried at once on this listener found nothing (see engine_accept).
  bool missed = false;
  int want = 0;  // kRead/kWrite: directions JS has a waiter for
  // The armed call, if any: kArmRecv or kArmAccept (0: none). A receive's buffer is
  // element `slot` of the JS array given to engine_init (lib sets it before arming), not a
  // napi_ref per arm: no allocation and no global handle per waiting receive.
  uint8_t armed = 0;
  uint32_t rlen = 0;
  int rflags = 0;
};

struct Engine {
  napi_env env = nullptr;
  uv_loop_t *loop = nullptr;
  int epfd = -1;
  uv_poll_t *poll = nullptr;  // heap: freed by its close callback
  bool pollStarted = false;
  bool pollRef = false;
  napi_ref dispatch = nullptr;
  napi_ref batchRef = nullptr;
  napi_ref armedRef = nullptr;  // the array of armed buffers, by slot
  napi_async_context context = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;  // set by teardown, removed once it is done
  int32_t *batch = nullptr;                       // the backing store of the shared Int32Array
  std::vector<EngineSlot> slots;
  std::vector<uint32_t> freeSlots;
  size_t used = 0;         // slots in use: the epoll fd and the handle exist while > 0
  size_t waiting = 0;      // slots with want != 0: the handle is referenced while > 0
  uint32_t lastArmed = 0;  // the slot of the latest call armed (see OnPoll's sole waiter)
  int accepts = 0;         // kAcceptDone entries with an fd in the batch being dispatched
  // The peer address of each kAcceptDone entry of another family than AF_INET, by entry
  // (grown only when such a peer is accepted), for engine_peer during the dispatch.
  std::vector<std::pair<sockaddr_storage, socklen_t>> peers;
  double batches = 0;   // dispatches made (engine_stats, for tests)
  double entries = 0;   // entries delivered in them
  double harvests = 0;  // epoll_wait calls made by wake-ups (engine_stats, for tests)
  double wakeups = 0;   // wake-ups of the handle (engine_stats, for tests)
  bool tearingDown = false;
  bool inDispatch = false;
};

void InitEngine(Napi::Env env, Napi::Object exports);

}  // namespace bsdsock

// PACKET_MMAP rings on AF_PACKET sockets: a TPACKET_V3 receive ring and a TPACKET_V2/V3
// transmit ring, mapped into an external ArrayBuffer that JS reads frames from directly.
//
// Lifetime: the ArrayBuffer over the mapping is detached (napi_detach_arraybuffer) before
// the memory is unmapped, so a view the user kept reads as length 0, never unmapped memory.
// The memory goes at ring_unmap (ring or socket closed), at the environment's cleanup hook
// (a worker ending with a mapped ring), or when the ArrayBuffer is collected.
#pragma once

#include <napi.h>

namespace bsdsock {

void InitRings(Napi::Env env, Napi::Object exports);

}  // namespace bsdsock

// Small dense numbers for devices, so a thread finds its bulk queue for a device by indexing
// (BulkQueues) instead of hashing. A number is taken when a device is created and given back
// when its memory is freed, a grace period after its last reference: by then no read-side
// section can hold a frame queued for it, so a reused number never meets a stale queue.
#pragma once

#include <cstdint>

namespace rt::transmit_index {

inline constexpr uint32_t kNone = UINT32_MAX;

// The lowest free number, or kNone when the bookkeeping cannot grow (out of memory).
uint32_t take();
// Gives `index` back (never allocates).
void give_back(uint32_t index);

}  // namespace rt::transmit_index

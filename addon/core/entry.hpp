// A table entry: immutable once published. It owns a usage reference on its device, released a
// grace period after the entry was unpublished (no reader can still be using it then).
#pragma once

#include <cstdint>

#include "device.hpp"
#include "rcu.hpp"

namespace rt {

struct Entry {
  Device* device;
  int32_t ifindex;
  uint64_t revision;
  uint64_t generation;  // the device's generation when it was resolved (see Device::generation)
  rcu_head rcu;

  // Takes over the caller's usage reference on `device`, resolved at `generation`; nullptr
  // when out of memory.
  static Entry* create(Device* device, uint64_t generation);

  // Unpublished entry: free it (and release its usage reference) after a grace period.
  static void retire(Entry* entry);

  // Free now; only when no reader can reach the entry any more (a grace period has passed).
  static void destroy(Entry* entry);
};

// What a reader copies out of an entry.
struct EntryView {
  int32_t ifindex;
  uint64_t revision;
};

// Process-wide, strictly increasing, assigned when an entry is created; starts at 1.
uint64_t next_revision();

}  // namespace rt

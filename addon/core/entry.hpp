// A table entry: immutable once published (but for its idle clock). It owns a usage reference
// on its device, released a grace period after the entry was unpublished (no reader can still
// be using it then).
#pragma once

#include <atomic>
#include <cstdint>

#include "device.hpp"
#include "rcu.hpp"


namespace rt {

struct Entry {
  Device* device;
  int32_t ifindex;
  uint64_t revision;
  uint64_t generation;  // the device's generation when it was resolved (see Device::generation)
  // Coarse milliseconds of the last datapath hit (creation counts as one), with kClaimedBit set
  // once a conditional delete has claimed the entry: a refresh can no longer move it. The entry
  // stays in its slot, and visible to readers, until the delete unpublishes it.
  std::atomic<uint64_t> last_used;
  rcu_head rcu;
  // Hash tables only: the next entry of the bucket's chain (read under RCU with acquire loads,
  // written by the table's writer lock holder), the key, and whether a writer unlinked the entry
  // (guarded by the writer lock: an entry is unlinked at most once, which makes a conditional
  // delete atomic). Array tables use `next` only to chain the entries a purge retired, once
  // they are out of the table (retire_chain).
  Entry* next;
  uint32_t key;
  bool unlinked;

  static constexpr uint64_t kClaimedBit = uint64_t{1} << 63;

  // A datapath hit at `now_ms`: written at most once per tick, never over a claim (a claimed
  // value is above every clock reading).
  void refresh(uint64_t now_ms) {
    uint64_t seen = last_used.load(std::memory_order_relaxed);
    while (seen < now_ms && !last_used.compare_exchange_weak(seen, now_ms, std::memory_order_relaxed)) {
    }
  }

  // After publishing: false when the device started unregistering or moved since the entry was
  // resolved, and the publisher must take the entry back (the notifier may have passed it).
  bool device_still_current() const { return device->registered() && device->generation() == generation; }

  // The last datapath hit, whether or not the entry has been claimed.
  uint64_t last_used_ms() const { return last_used.load(std::memory_order_relaxed) & ~kClaimedBit; }

  // Claims the entry for deletion if it was last used at `expected_ms`; false when refreshed
  // (or claimed) since.
  bool claim(uint64_t expected_ms) {
    return (expected_ms & kClaimedBit) == 0 &&
           last_used.compare_exchange_strong(expected_ms, expected_ms | kClaimedBit, std::memory_order_acq_rel);
  }

  // A conditional delete's test (Table::compare_and_delete): whether the entry has
  // `expected_revision` and, when `expected_last_used` is given, could be claimed at that stamp.
  bool claim_if_unchanged(uint64_t expected_revision, const uint64_t* expected_last_used) {
    return revision == expected_revision && (expected_last_used == nullptr || claim(*expected_last_used));
  }

  // Takes over the caller's usage reference on `device`, resolved at `generation`; nullptr
  // when out of memory.
  static Entry* create(Device* device, uint64_t generation);
  // Resolves `ifindex` in `ns` (taking a usage reference on its device) into a new entry:
  // 0, -ENODEV (no registered device), or -ENOMEM (the reference is given back).
  static int resolve(Namespace* ns, int ifindex, Entry** out);

  // Unpublished entry: free it (and release its usage reference) after a grace period.
  static void retire(Entry* entry);
  // Retires array-table entries chained through `next` (which array tables do not use) with one
  // callback, run at once (a purge may retire a million): it destroys them in order, releasing
  // each device's usage references in one step per run of entries of that device.
  static void retire_chain(Entry* first);

  // Free now; only when no reader can reach the entry any more (a grace period has passed).
  static void destroy(Entry* entry);
};

// What a reader copies out of an entry.
struct EntryView {
  int32_t ifindex;
  uint64_t revision;
  uint64_t last_used;
};

// The coarse monotonic clock entries are stamped with, in milliseconds.
uint64_t coarse_now_ms();

// Process-wide, strictly increasing, assigned when an entry is created; starts at 1.
uint64_t next_revision();

}  // namespace rt

// An array table's slots: each holds the entry pointer and, beside it, that entry's ifindex
// (0 when empty). Every write replaces both words in one 16-byte atomic read-modify-write, so a
// reader of the ifindex word alone (JavaScript, through a view of this memory made by
// addon/napi) sees each write at the same instant as a reader of the pointer: one
// linearization point for both (docs/design.md, "Zero-call get").
//
// Where the CPU has no 16-byte compare-exchange (not x86-64, or an x86-64 without CMPXCHG16B),
// writes replace the pointer alone, the ifindex words stay 0, and `slots_wide()` is false:
// nothing may then read the ifindex words, and JS reads go through a native call instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rt {

struct Entry;

struct alignas(16) Slot {
  Entry* entry;
  int32_t ifindex;  // entry ? entry->ifindex : 0 (when slots_wide())
  uint32_t unused;  // always 0
};
static_assert(sizeof(Slot) == 16, "a slot is two 8-byte words");
static_assert(offsetof(Slot, ifindex) == 8, "JS reads the ifindex at int32 index 4 * key + 2");

// Whether slots are written 16 bytes at a time (and their ifindex words can be read).
bool slots_wide();

// Atomic operations on one slot, in the shape of std::atomic_ref<Entry*>. Every writer of a slot
// goes through here. Writes are sequentially consistent (a locked instruction on x86-64).
class SlotRef {
 public:
  explicit SlotRef(Slot* slot) : slot_(slot) {}

  // Native readers need only the pointer: one 8-byte load of the slot's first word.
  Entry* load(std::memory_order order) const { return std::atomic_ref<Entry*>(slot_->entry).load(order); }

  // Both words at one instant (a locked read-modify-write that writes back what it read: for
  // audits, e.g. the sanitizer stress test, not for the datapath). Where slots are not wide,
  // the ifindex is 0.
  void load_both(Entry** entry, int32_t* ifindex) const;

  Entry* exchange(Entry* desired);
  // Replaces `expected` by `desired`; on failure `expected` receives the current entry.
  bool compare_exchange(Entry*& expected, Entry* desired);

 private:
  Slot* slot_;
};

// The slot array of one table, shared between the table and every JS view of it (one per
// environment that reads the table): freed, and its bytes uncounted, by the last to let go.
// Views may outlive the table: the table empties every slot before it lets go.
class SlotMemory {
 public:
  // nullptr when out of memory.
  static SlotMemory* create(uint32_t count);

  Slot* slots() const { return slots_; }
  uint32_t count() const { return count_; }
  size_t bytes() const { return size_t{count_} * sizeof(Slot); }

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();

 private:
  SlotMemory(Slot* slots, uint32_t count) : slots_(slots), count_(count) {}
  ~SlotMemory();

  Slot* const slots_;
  const uint32_t count_;
  std::atomic<uint32_t> refs_{1};
};

}  // namespace rt

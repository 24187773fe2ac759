// The array redirect table (the kernel's BPF_MAP_TYPE_DEVMAP): maxEntries atomic slots, each
// empty or pointing at an immutable Entry, with that entry's ifindex beside the pointer
// (slots.hpp): JS threads read the ifindex words through a view, without a native call.
//
// Readers: a read-side section and an acquire load of a slot; they never lock or write.
// Writers: publish with an exchange, retire the previous entry after a grace period.
// A publisher re-checks its device after publishing and takes its own entry back when the
// device started unregistering meanwhile (the notifier may have walked past the slot).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "datapath.hpp"
#include "entry.hpp"
#include "frame.hpp"
#include "slots.hpp"
#include "table.hpp"

namespace rt {

class ArrayTable final : public Table {
 public:
  // Returns 0 and the table in *out (registered, one handle), -EINVAL when max_entries is 0,
  // -ENOMEM when the slots cannot be allocated.
  static int create(uint32_t max_entries, Namespace* ns, ArrayTable** out);

  // The operations of Table, with their contracts there. Here: keys are slot indexes, and
  // -E2BIG means a key >= max_entries (an out-of-range key reads as empty: read, lookup_batch,
  // redirect's -ENOENT).
  bool keyed_by_index() const override { return true; }
  uint32_t max_entries() const override { return max_entries_; }

  // Inside the caller's read-side section (see rcu::ReadLock): the entry in `key`, nullptr when
  // empty or out of range.
  Entry* lookup(uint32_t key) const {
    if (key >= max_entries_) return nullptr;
    return slot(key).load(std::memory_order_acquire);
  }

  bool read(uint32_t key, EntryView* out) const override {
    return datapath::read_entry([this](uint32_t k) { return lookup(k); }, key, out);
  }
  int update(uint32_t key, int ifindex, uint64_t* revision) override;
  int remove(uint32_t key) override;

  // Against concurrent writers a batch is per key: each key is published (or removed)
  // atomically, other writers may interleave between keys. update_batch checks every key's
  // range before building any entry (*fault: the first key out of range).
  int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) override;
  long remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) override;
  size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const override;

  int keys(std::vector<uint32_t>* out) const override;
  int snapshot(TableSnapshot* out) const override;

  long redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                size_t n) override;
  int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) override;
  // Walks every slot.
  long broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) override;

  int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) override;
  int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) override;

  void purge_stale() override;

  // nullptr where slots are not wide.
  SlotMemory* readable_slots() const override { return slots_wide() ? memory_ : nullptr; }

 protected:
  void drain() override;

 private:
  ArrayTable(uint32_t max_entries, SlotMemory* memory, Namespace* ns);
  ~ArrayTable() override;

  SlotRef slot(uint32_t key) const { return SlotRef(&slots_[key]); }
  // Publishes `entry` (whose usage reference is held) in `key`; see update().
  int publish(uint32_t key, Entry* entry);
  // After `entry` became visible in `key`: takes it back if its device started unregistering or
  // moved meanwhile. Inside the publisher's read-side section. 0 or -ENODEV.
  int recheck_published(uint32_t key, Entry* entry);

  const uint32_t max_entries_;
  SlotMemory* const memory_;  // one reference; zero pages until written
  Slot* const slots_;         // memory_->slots(), kept here for lookups; accessed only via SlotRef
};

}  // namespace rt

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

  bool keyed_by_index() const override { return true; }
  uint32_t max_entries() const override { return max_entries_; }

  // --- reads inside the caller's read-side section (see rcu::ReadLock) ---
  // The entry in `key`, nullptr when empty or out of range.
  Entry* lookup(uint32_t key) const {
    if (key >= max_entries_) return nullptr;
    return slot(key).load(std::memory_order_acquire);
  }

  // --- reads that take their own read-side section ---
  // Copies the entry in `key` into *out; false when empty or out of range.
  bool read(uint32_t key, EntryView* out) const override {
    return datapath::read_entry([this](uint32_t k) { return lookup(k); }, key, out);
  }

  // --- writes (any thread; they take their own read-side sections) ---
  // 0 and *revision, or -E2BIG (key out of range), -ENODEV (no registered device with that
  // ifindex in the table's namespace, or it started unregistering meanwhile), -ENOMEM.
  int update(uint32_t key, int ifindex, uint64_t* revision) override;
  // 1 when an entry was removed, 0 when the slot was empty, -E2BIG when out of range.
  int remove(uint32_t key) override;

  // Batch forms; validation happens before any change (no partial effect on bad input). Each
  // input element is read once. Against concurrent writers a batch is per key: each key is
  // published (or removed) atomically, other writers may interleave between keys.
  // update_batch: 0 or the first error (-E2BIG, -ENODEV with *fault set, -ENOMEM), nothing
  // set on error. A device that starts unregistering during the batch takes its entries back
  // (set, then purged): not an error.
  int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) override;
  // remove_batch: number removed, or -E2BIG (with *fault) / -ENOMEM before removing anything.
  long remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) override;
  // lookup_batch: writes the ifindex (0 when empty or out of range) for each key, in one
  // read-side section; returns hits.
  size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const override;

  // --- datapath ---
  // For each frame: look up keys[i], check the device (up, length <= MTU), queue the frame on
  // this thread's bulk queue for the destination; then flush everything, all in one read-side
  // section. verdicts (may be null): 0 delivered into the device's ring, -ENOENT no entry (or
  // key out of range), -ENETDOWN device down, -EMSGSIZE longer than the MTU, -ENOBUFS refused
  // by the sink (ring full, or beyond a partial-accept fault), -EIO failed by an error fault.
  // Returns the frames delivered. -ENOMEM (nothing sent) when this thread's bulk queues cannot
  // be allocated.
  long redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                size_t n) override;
  // One frame into the thread's per-frame section (see BulkQueues); *opened_section is set when
  // this call opened it, so the caller arranges the flush. Returns the enqueue verdict (0, or
  // one of redirect's refusals before the sink); a later refusal by the sink is counted only.
  int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) override;
  // Every frame to every entry's device except `exclude_ifindex` (0: none), walking the slots;
  // entries whose device is down or whose MTU is below the frame's length are skipped.
  // Returns the copies delivered into rings, or -ENOMEM (nothing sent).
  long broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) override;

  // --- conditional updates (for garbage collectors) ---
  // Deletes the entry in `key` only if it has `revision` and, when `last_used` is given, was last
  // used at *last_used (it is claimed first, so a racing refresh either lands before the claim,
  // making this EBUSY, or loses and cannot resurrect the entry). 0, -ENOENT (no entry), -EBUSY
  // (another revision, or refreshed since), -E2BIG.
  int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) override;
  // Replaces the entry in `key` only if it has `revision`: 0 and *new_revision, or -ENOENT,
  // -EBUSY, -ENODEV (no such device, or it went away meanwhile), -E2BIG, -ENOMEM.
  int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) override;
  int snapshot(TableSnapshot* out) const override;

  // Keys with an entry, ascending: 0 or -ENOMEM.
  int keys(std::vector<uint32_t>* out) const override;

  void purge_stale() override;

  // The slot memory for views that read the ifindex words (nullptr where slots are not wide):
  // the caller takes a reference (SlotMemory::retain) for each view it makes.
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

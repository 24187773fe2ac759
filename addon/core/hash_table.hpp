// The hash redirect table (the kernel's BPF_MAP_TYPE_DEVMAP_HASH): any u32 key, at most
// max_entries entries, in a fixed array of buckets (the next power of two >= max_entries, as the
// kernel sizes it) whose chains are RCU lists: no resize ever, and every byte of the table is
// allocated by create() itself, so an allocation failure is an -ENOMEM, never an abort.
//
// Readers: a read-side section and acquire loads along a chain; they never lock or write.
// Writers: serialised by the table's writer lock (the kernel's index_lock), which they take only
// around linking and unlinking prepared entries; entries are resolved (device lookup, allocation)
// before and freed after a grace period, never under the lock. Entries are immutable like the
// array table's: a set replaces the entry in its chain, a delete unlinks it, and an entry is
// unlinked at most once, which makes a conditional delete atomic: whoever unlinks the entry it
// compared owns the deletion. The entry count is exact under the lock, so a batch checks its
// room and publishes all of its entries in one hold: it fits whole or changes nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "entry.hpp"
#include "table.hpp"

namespace rt {

class HashTable final : public Table {
 public:
  // 0 and the table in *out (registered, one handle), -EINVAL for 0 entries, -ENOMEM.
  static int create(uint32_t max_entries, Namespace* ns, HashTable** out);

  // The operations of Table, with their contracts there. Here: any u32 key, and -E2BIG means
  // the table is full (max_entries entries) and the key is new.
  bool keyed_by_index() const override { return false; }
  uint32_t max_entries() const override { return max_entries_; }
  bool read(uint32_t key, EntryView* out) const override;
  int update(uint32_t key, int ifindex, uint64_t* revision) override;
  int remove(uint32_t key) override;
  // All or nothing against every other writer: the room for every new key is checked and the
  // whole batch published in one hold of the writer lock. -E2BIG when the new keys do not all
  // fit (*fault names the first new key, in batch order, that did not).
  int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) override;
  // Never fails; `fault` is not used (may be null).
  long remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) override;
  size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const override;
  int keys(std::vector<uint32_t>* out) const override;
  long redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                size_t n) override;
  int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) override;
  long broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) override;
  int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) override;
  int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) override;
  int snapshot(TableSnapshot* out) const override;
  void purge_stale() override;

  // Inside a read-side section: the entry under `key`, or nullptr.
  Entry* find(uint32_t key) const {
    for (Entry* e = link(bucket(key)).load(std::memory_order_acquire); e != nullptr;
         e = link(&e->next).load(std::memory_order_acquire)) {
      if (e->key == key) return e;
    }
    return nullptr;
  }

 protected:
  void drain() override;

 private:
  HashTable(uint32_t max_entries, uint64_t bucket_count, Entry** buckets, Namespace* ns);
  ~HashTable() override;

  static std::atomic_ref<Entry*> link(Entry** at) { return std::atomic_ref<Entry*>(*at); }
  Entry** bucket(uint32_t key) const;

  // With mu_ held. The link that points at the entry under `key` (or at the chain's end).
  Entry** find_link_locked(uint32_t key) const;
  // With mu_ held: puts `fresh` in the table, replacing the entry under its key if any (returned,
  // to be retired), else inserting it (the caller checked the room).
  Entry* link_locked(Entry* fresh);
  // With mu_ held: the index of the first key of `keys` (first[i]: the key's first use in the
  // batch) that would not fit in the table, or n when they all fit.
  size_t overflow_index_locked(const uint32_t* keys, const uint8_t* first, size_t n) const;
  // With mu_ held: unlinks `entry` unless it is already unlinked; true when this call did.
  bool unlink_locked(Entry* entry);

  // Publishes a prepared entry (insert or replace): 0, -E2BIG (full; the entry is destroyed),
  // or -ENODEV when its device went away meanwhile (taken back). Inside a read-side section.
  int publish(Entry* entry);
  // After publishing: takes `entry` back when its device started unregistering or moved.
  // Inside a read-side section. 0 or -ENODEV.
  int recheck_published(Entry* entry);
  // Unpublishes `entry` if it is still in the table; true when this call removed it.
  bool unpublish(Entry* entry);
  int make_entry(uint32_t key, int ifindex, Entry** out);
  template <typename Fn>
  void for_each(Fn fn) const;

  size_t bucket_bytes() const { return (mask_ + 1) * sizeof(Entry*); }

  const uint32_t max_entries_;
  const uint64_t mask_;  // bucket count - 1
  Entry** const buckets_;  // alloc::allocate_zeroed: zero pages until written; accessed only via atomic_ref
  std::mutex mu_;          // the writer lock: guards the chains' links, count_ and Entry::unlinked
  uint64_t count_ = 0;     // entries linked (guarded by mu_)
};

}  // namespace rt

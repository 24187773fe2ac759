// The hash redirect table (the kernel's BPF_MAP_TYPE_DEVMAP_HASH): any u32 key, at most
// max_entries entries, on liburcu's cds_lfht sized up front (no resize ever slows a lookup).
//
// Entries are the hash nodes, immutable like the array table's: a set replaces the node
// (cds_lfht_replace / add_unique), a delete removes it (cds_lfht_del), and a node removed once
// can never be removed again, which is what makes a conditional delete atomic: whoever removes
// the node it compared owns the deletion.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "entry.hpp"
#include "table.hpp"

struct cds_lfht;

namespace rt {

class HashTable final : public Table {
 public:
  // 0 and the table in *out (registered, one handle), -EINVAL for 0 entries, -ENOMEM.
  static int create(uint32_t max_entries, Namespace* ns, HashTable** out);

  bool keyed_by_index() const override { return false; }
  uint32_t max_entries() const override { return max_entries_; }
  bool read(uint32_t key, EntryView* out) const override;
  int update(uint32_t key, int ifindex, uint64_t* revision) override;
  int remove(uint32_t key) override;
  int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, size_t* bad_index) override;
  long remove_batch(const uint32_t* keys, size_t n, size_t* bad_index) override;
  size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const override;
  std::vector<uint32_t> keys() const override;
  size_t redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                  size_t n) override;
  int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) override;
  size_t broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) override;
  int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) override;
  int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) override;
  TableSnapshot snapshot() const override;
  void purge_device(Device* dev) override;

  // Inside a read-side section: the entry under `key`, or nullptr; `iter` (optional) positions it.
  Entry* find(uint32_t key, cds_lfht_iter* iter = nullptr) const;

 protected:
  void drain() override;

 private:
  HashTable(uint32_t max_entries, cds_lfht* ht, Namespace* ns);
  ~HashTable() override;

  // Publishes a prepared entry under entry->key (insert or replace). 0, -E2BIG (full), or
  // -ENODEV when its device went away meanwhile (taken back). Takes its own read-side section.
  int publish(Entry* entry);
  // Unpublishes `entry` if it is still in the table; true when this call removed it.
  bool unpublish(Entry* entry);
  int make_entry(uint32_t key, int ifindex, Entry** out);
  template <typename Fn>
  void for_each(Fn fn) const;

  const uint32_t max_entries_;
  cds_lfht* const ht_;
  std::atomic<int64_t> count_{0};  // entries published (exact: adjusted by whoever adds/removes)
};

}  // namespace rt

#include "array_table.hpp"

#include <cerrno>
#include <cstdlib>
#include <new>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "datapath.hpp"
#include "namespace.hpp"
#include "race_point.hpp"
#include "read_once.hpp"
#include "table_registry.hpp"

namespace rt {

int ArrayTable::create(uint32_t max_entries, Namespace* ns, ArrayTable** out) {
  if (max_entries == 0) return -EINVAL;
  SlotMemory* memory = SlotMemory::create(max_entries);
  if (memory == nullptr) return -ENOMEM;
  auto* table = alloc::inject_failure() ? nullptr : new (std::nothrow) ArrayTable(max_entries, memory, ns);
  if (table == nullptr) {
    memory->release();
    return -ENOMEM;
  }
  if (int err = TableRegistry::instance().add(table)) {
    delete table;
    return err;
  }
  *out = table;
  return 0;
}

ArrayTable::ArrayTable(uint32_t max_entries, SlotMemory* memory, Namespace* ns)
    : Table(ns), max_entries_(max_entries), memory_(memory), slots_(memory->slots()) {
  memory::allocated(memory::kTables, sizeof(ArrayTable));
}

// drain() has emptied every slot: views of the slot memory that outlive the table read it empty.
ArrayTable::~ArrayTable() {
  memory_->release();
  memory::freed(memory::kTables, sizeof(ArrayTable));
}

int ArrayTable::publish(uint32_t key, Entry* entry) {
  // The read-side section keeps `entry` from being freed and reused while this thread may still
  // compare against its address (no ABA on the take-back below).
  rcu::ReadLock read;
  Entry* old = slot(key).exchange(entry);
  if (old != nullptr) Entry::retire(old);
  return recheck_published(key, entry);
}

int ArrayTable::recheck_published(uint32_t key, Entry* entry) {
  RT_RACE_POINT();
  if (entry->device_still_current()) return 0;
  // The device started unregistering or moved: the notifier may have passed this slot already.
  Entry* expected = entry;
  if (slot(key).compare_exchange(expected, nullptr)) Entry::retire(entry);
  return -ENODEV;
}

int ArrayTable::update(uint32_t key, int ifindex, uint64_t* revision) {
  if (key >= max_entries_) return -E2BIG;
  Entry* entry = nullptr;
  if (int err = Entry::resolve(ns(), ifindex, &entry)) return err;
  uint64_t rev = entry->revision;
  RT_RACE_POINT();  // the device may start unregistering here, before the entry is visible
  int err = publish(key, entry);
  if (err == 0 && revision != nullptr) *revision = rev;
  return err;
}

int ArrayTable::remove(uint32_t key) {
  if (key >= max_entries_) return -E2BIG;
  Entry* old = slot(key).exchange(nullptr);
  if (old == nullptr) return 0;
  Entry::retire(old);
  return 1;
}

int ArrayTable::update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) {
  // The keys are copied once (they may be rewritten meanwhile): the keys checked are the keys set.
  alloc::Scratch<uint32_t> key_copy;
  alloc::Scratch<Entry*> entries;
  if (!key_copy.allocate(n) || !entries.allocate(n)) return -ENOMEM;
  for (size_t i = 0; i < n; ++i) {
    key_copy[i] = read_once(&keys[i]);
    entries[i] = nullptr;
    if (key_copy[i] >= max_entries_) {
      *fault = BatchFault{i, key_copy[i], 0};
      return -E2BIG;
    }
  }
  // Resolve every device and build every entry first, so a bad ifindex changes nothing.
  int err = 0;
  for (size_t i = 0; i < n && err == 0; ++i) {
    const int32_t ifindex = read_once(&ifindexes[i]);
    err = Entry::resolve(ns(), ifindex, &entries[i]);
    if (err != 0) *fault = BatchFault{i, key_copy[i], ifindex};
  }
  if (err != 0) {
    for (Entry* entry : entries) {
      if (entry != nullptr) Entry::destroy(entry);  // never published: no grace period needed
    }
    return err;
  }
  // A device that starts unregistering during the loop takes its entries back, as if the
  // notifier had run right after this batch: per key, not a failure of the batch.
  for (size_t i = 0; i < n; ++i) publish(key_copy[i], entries[i]);
  return 0;
}

long ArrayTable::remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) {
  alloc::Scratch<uint32_t> key_copy;  // read once: the keys checked are the keys removed
  if (!key_copy.allocate(n)) return -ENOMEM;
  for (size_t i = 0; i < n; ++i) {
    key_copy[i] = read_once(&keys[i]);
    if (key_copy[i] >= max_entries_) {
      *fault = BatchFault{i, key_copy[i], 0};
      return -E2BIG;
    }
  }
  long removed = 0;
  for (size_t i = 0; i < n; ++i) removed += remove(key_copy[i]);
  return removed;
}

size_t ArrayTable::lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const {
  return datapath::lookup_batch([this](uint32_t key) { return lookup(key); }, keys, out, n);
}

long ArrayTable::redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                            size_t n) {
  auto prefetch = [this](uint32_t key) {
    if (key < max_entries_) __builtin_prefetch(slot(key).load(std::memory_order_relaxed));
  };
  return datapath::redirect(this, [this](uint32_t key) { return lookup(key); }, prefetch, keys, ids, lengths,
                            verdicts, n);
}

int ArrayTable::redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) {
  return datapath::redirect_one(this, [this](uint32_t k) { return lookup(k); }, key, id, length, opened_section);
}

long ArrayTable::broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) {
  auto for_each = [this](auto fn) {
    for (uint32_t key = 0; key < max_entries_; ++key) {
      if (const Entry* entry = slot(key).load(std::memory_order_acquire)) fn(entry);
    }
  };
  return datapath::broadcast(this, for_each, ids, lengths, n, exclude_ifindex);
}

int ArrayTable::compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) {
  if (key >= max_entries_) return -E2BIG;
  // The read-side section keeps the entry we compare against from being freed and reused.
  rcu::ReadLock read;
  Entry* entry = slot(key).load(std::memory_order_acquire);
  if (entry == nullptr) return -ENOENT;
  if (!entry->claim_if_unchanged(revision, last_used)) return -EBUSY;
  RT_RACE_POINT();
  if (slot(key).compare_exchange(entry, nullptr)) {
    Entry::retire(entry);
    return 0;
  }
  // A set, delete or purge got there first: the revision we compared is gone either way.
  return entry == nullptr ? -ENOENT : -EBUSY;
}

int ArrayTable::compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) {
  if (key >= max_entries_) return -E2BIG;
  Entry* fresh = nullptr;
  if (int err = Entry::resolve(ns(), ifindex, &fresh)) return err;
  rcu::ReadLock read;
  Entry* current = slot(key).load(std::memory_order_acquire);
  int err = current == nullptr ? -ENOENT : current->revision != revision ? -EBUSY : 0;
  if (err == 0 && !slot(key).compare_exchange(current, fresh)) {
    err = current == nullptr ? -ENOENT : -EBUSY;
  }
  if (err != 0) {
    Entry::destroy(fresh);  // never published
    return err;
  }
  Entry::retire(current);
  *new_revision = fresh->revision;
  return recheck_published(key, fresh);
}

int ArrayTable::snapshot(TableSnapshot* out) const {
  try {
    TableSnapshot snap;
    rcu::ReadLock read;
    for (uint32_t key = 0; key < max_entries_; ++key) {
      if (const Entry* entry = slot(key).load(std::memory_order_acquire)) datapath::append(snap, key, entry);
    }
    *out = std::move(snap);
  } catch (const std::bad_alloc&) {
    *out = TableSnapshot{};
    return -ENOMEM;
  }
  return 0;
}

int ArrayTable::keys(std::vector<uint32_t>* out) const {
  out->clear();
  try {
    for (uint32_t key = 0; key < max_entries_; ++key) {
      if (slot(key).load(std::memory_order_relaxed) != nullptr) out->push_back(key);
    }
  } catch (const std::bad_alloc&) {
    std::vector<uint32_t>().swap(*out);
    return -ENOMEM;
  }
  return 0;
}

void ArrayTable::purge_stale() {
  Entry* retired = nullptr;  // chained through `next`, queued once at the end of the walk
  for (uint32_t key = 0; key < max_entries_; ++key) {
    Entry* entry = slot(key).load(std::memory_order_acquire);
    if (entry == nullptr || entry->device_still_current()) continue;
    RT_RACE_POINT();  // a concurrent update may replace the entry here
    // A concurrent update that replaced the entry wins; its own re-check handles its device.
    if (slot(key).compare_exchange(entry, nullptr)) {
      entry->next = retired;
      retired = entry;
    }
  }
  if (retired != nullptr) Entry::retire_chain(retired);
}

void ArrayTable::drain() {
  // Views in other threads may still read the slots: each is emptied whole. Empty slots are
  // left untouched, so closing a large, mostly empty table writes (and allocates) no page.
  for (uint32_t key = 0; key < max_entries_; ++key) {
    if (slot(key).load(std::memory_order_relaxed) == nullptr) continue;
    Entry* entry = slot(key).exchange(nullptr);
    if (entry != nullptr) Entry::destroy(entry);
  }
}

}  // namespace rt

#include "hash_table.hpp"

#include <algorithm>
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

// Lock order (docs/design.md, "Locks", rule 21): mu_ is taken with no other lock of ours held.
// Purges (unregistration, moves) take it around each unlink on the purge worker, or on their
// caller when there is none, after every namespace lock was dropped. Nothing that may take a
// namespace or device lock runs under mu_: entries are resolved before it is taken and retired
// (freed after a grace period) rather than destroyed under it.

namespace rt {

namespace {

uint64_t hash_key(uint32_t key) {
  uint64_t h = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

}  // namespace

int HashTable::create(uint32_t max_entries, Namespace* ns, HashTable** out) {
  if (max_entries == 0) return -EINVAL;
  uint64_t bucket_count = 1;
  while (bucket_count < max_entries) bucket_count <<= 1;
  auto** buckets = static_cast<Entry**>(alloc::allocate_zeroed(bucket_count * sizeof(Entry*)));
  if (buckets == nullptr) return -ENOMEM;
  auto* table = alloc::inject_failure() ? nullptr : new (std::nothrow) HashTable(max_entries, bucket_count, buckets, ns);
  if (table == nullptr) {
    alloc::free_zeroed(buckets, bucket_count * sizeof(Entry*));
    return -ENOMEM;
  }
  if (int err = TableRegistry::instance().add(table)) {
    delete table;
    return err;
  }
  *out = table;
  return 0;
}

HashTable::HashTable(uint32_t max_entries, uint64_t bucket_count, Entry** buckets, Namespace* ns)
    : Table(ns), max_entries_(max_entries), mask_(bucket_count - 1), buckets_(buckets) {
  memory::allocated(memory::kTables, sizeof(HashTable) + bucket_bytes());
}

HashTable::~HashTable() {
  alloc::free_zeroed(buckets_, bucket_bytes());
  memory::freed(memory::kTables, sizeof(HashTable) + bucket_bytes());
}

Entry** HashTable::bucket(uint32_t key) const { return &buckets_[hash_key(key) & mask_]; }

template <typename Fn>
void HashTable::for_each(Fn fn) const {
  for (uint64_t b = 0; b <= mask_; ++b) {
    for (Entry* e = link(&buckets_[b]).load(std::memory_order_acquire); e != nullptr;
         e = link(&e->next).load(std::memory_order_acquire)) {
      fn(e);
    }
  }
}

Entry** HashTable::find_link_locked(uint32_t key) const {
  Entry** at = bucket(key);
  for (Entry* e = link(at).load(std::memory_order_relaxed); e != nullptr; e = link(at).load(std::memory_order_relaxed)) {
    if (e->key == key) return at;
    at = &e->next;
  }
  return at;
}

Entry* HashTable::link_locked(Entry* fresh) {
  Entry** at = find_link_locked(fresh->key);
  Entry* old = link(at).load(std::memory_order_relaxed);
  if (old != nullptr) {  // replace: readers on `old` still find the rest of the chain
    link(&fresh->next).store(link(&old->next).load(std::memory_order_relaxed), std::memory_order_relaxed);
    old->unlinked = true;
  } else {
    at = bucket(fresh->key);  // insert at the head
    link(&fresh->next).store(link(at).load(std::memory_order_relaxed), std::memory_order_relaxed);
    ++count_;
  }
  link(at).store(fresh, std::memory_order_release);
  return old;
}

bool HashTable::unlink_locked(Entry* entry) {
  if (entry->unlinked) return false;
  Entry** at = find_link_locked(entry->key);
  // A linked entry is the one under its key (a replace unlinks the one it replaces).
  link(at).store(link(&entry->next).load(std::memory_order_relaxed), std::memory_order_release);
  entry->unlinked = true;
  --count_;
  return true;
}

bool HashTable::read(uint32_t key, EntryView* out) const {
  return datapath::read_entry([this](uint32_t k) { return find(k); }, key, out);
}

int HashTable::make_entry(uint32_t key, int ifindex, Entry** out) {
  if (int err = Entry::resolve(ns(), ifindex, out)) return err;
  (*out)->key = key;
  return 0;
}

bool HashTable::unpublish(Entry* entry) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!unlink_locked(entry)) return false;  // removed by someone else
  }
  Entry::retire(entry);
  return true;
}

int HashTable::recheck_published(Entry* entry) {
  // Pairs with the fence in Device::mark_unregistering / mark_moving: either this thread sees
  // the device going away, or the notifier walk that follows the mark sees the entry.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  RT_RACE_POINT();
  if (entry->device_still_current()) return 0;
  unpublish(entry);  // the device went away (or moved): the notifier may have passed already
  return -ENODEV;
}

int HashTable::publish(Entry* entry) {
  Entry* old = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (link(find_link_locked(entry->key)).load(std::memory_order_relaxed) == nullptr && count_ >= max_entries_) {
      old = entry;
    } else {
      old = link_locked(entry);
    }
  }
  if (old == entry) {
    Entry::destroy(entry);  // never published
    return -E2BIG;
  }
  if (old != nullptr) Entry::retire(old);
  return recheck_published(entry);
}

int HashTable::update(uint32_t key, int ifindex, uint64_t* revision) {
  Entry* entry = nullptr;
  if (int err = make_entry(key, ifindex, &entry)) return err;
  uint64_t rev = entry->revision;
  RT_RACE_POINT();  // the device may start unregistering here, before the entry is visible
  rcu::ReadLock read;  // keeps `entry` from being freed while publish() re-checks it
  int err = publish(entry);
  if (err == 0 && revision != nullptr) *revision = rev;
  return err;
}

int HashTable::remove(uint32_t key) {
  Entry* entry = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    entry = link(find_link_locked(key)).load(std::memory_order_relaxed);
    if (entry == nullptr) return 0;
    unlink_locked(entry);
  }
  Entry::retire(entry);
  return 1;
}

size_t HashTable::overflow_index_locked(const uint32_t* keys, const uint8_t* first, size_t n) const {
  uint64_t fresh = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!first[i] || link(find_link_locked(keys[i])).load(std::memory_order_relaxed) != nullptr) continue;
    if (count_ + ++fresh > max_entries_) return i;
  }
  return n;
}

int HashTable::update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) {
  // Everything that can fail without the lock happens first, so a failure changes nothing: the
  // inputs are copied once (they may be rewritten meanwhile), every entry is resolved and built.
  alloc::Scratch<uint32_t> key_copy;
  alloc::Scratch<uint32_t> order;  // indexes sorted by (key, index): finds each key's first use
  alloc::Scratch<uint8_t> first;   // first[i]: keys[i] is the first use of its key in the batch
  alloc::Scratch<Entry*> entries;
  if (!key_copy.allocate(n) || !order.allocate(n) || !first.allocate(n) || !entries.allocate(n)) return -ENOMEM;
  for (size_t i = 0; i < n; ++i) {
    key_copy[i] = read_once(&keys[i]);
    order[i] = static_cast<uint32_t>(i);
    entries[i] = nullptr;
  }
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return key_copy[x] != key_copy[y] ? key_copy[x] < key_copy[y] : x < y;
  });
  for (size_t j = 0; j < n; ++j) first[order[j]] = j == 0 || key_copy[order[j - 1]] != key_copy[order[j]];
  int err = 0;
  BatchFault bad;
  for (size_t i = 0; i < n && err == 0; ++i) {
    const int32_t ifindex = read_once(&ifindexes[i]);
    err = make_entry(key_copy[i], ifindex, &entries[i]);
    if (err != 0) bad = BatchFault{i, key_copy[i], ifindex};
  }
  {
    rcu::ReadLock read;  // keeps our entries from being freed while they are re-checked below
    {
      std::lock_guard<std::mutex> lock(mu_);
      // The room for every new key, checked and used in one hold of the writer lock. A full
      // table is reported first (E2BIG before ENODEV or ENOMEM), like a single set.
      size_t overflow = overflow_index_locked(key_copy.begin(), first.begin(), n);
      if (overflow != n) {
        bad = BatchFault{overflow, key_copy[overflow], 0};  // the first new key that does not fit
        err = -E2BIG;
      }
      if (err == 0) {
        for (size_t i = 0; i < n; ++i) {
          if (Entry* old = link_locked(entries[i])) Entry::retire(old);  // never destroyed under mu_
        }
      }
    }
    if (err == 0) {
      // A device that started unregistering meanwhile takes its entries back, as if the notifier
      // had run right after this batch: per key, not a failure of the batch.
      for (size_t i = 0; i < n; ++i) recheck_published(entries[i]);
      return 0;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (entries[i] != nullptr) Entry::destroy(entries[i]);  // never published
  }
  *fault = bad;
  return err;
}

long HashTable::remove_batch(const uint32_t* keys, size_t n, BatchFault*) {
  long removed = 0;
  for (size_t i = 0; i < n; ++i) removed += remove(read_once(&keys[i]));
  return removed;
}

size_t HashTable::lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const {
  return datapath::lookup_batch([this](uint32_t key) { return find(key); }, keys, out, n);
}

int HashTable::keys(std::vector<uint32_t>* out) const {
  out->clear();
  try {
    rcu::ReadLock read;
    for_each([&](const Entry* entry) { out->push_back(entry->key); });
  } catch (const std::bad_alloc&) {
    std::vector<uint32_t>().swap(*out);
    return -ENOMEM;
  }
  std::sort(out->begin(), out->end());
  return 0;
}

long HashTable::redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                         size_t n) {
  return datapath::redirect(this, [this](uint32_t key) { return find(key); }, [](uint32_t) {}, keys, ids, lengths,
                            verdicts, n);
}

int HashTable::redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) {
  return datapath::redirect_one(this, [this](uint32_t k) { return find(k); }, key, id, length, opened_section);
}

long HashTable::broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) {
  return datapath::broadcast(this, [this](auto fn) { for_each(fn); }, ids, lengths, n, exclude_ifindex);
}

int HashTable::compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) {
  rcu::ReadLock read;  // keeps the entry we compare from being freed and reused
  Entry* entry = find(key);
  if (entry == nullptr) return -ENOENT;
  if (!entry->claim_if_unchanged(revision, last_used)) return -EBUSY;
  RT_RACE_POINT();
  if (unpublish(entry)) return 0;
  // A set, delete or purge removed that entry first: the revision we compared is gone either way.
  return find(key) == nullptr ? -ENOENT : -EBUSY;
}

int HashTable::compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) {
  Entry* fresh = nullptr;
  if (int err = make_entry(key, ifindex, &fresh)) return err;
  rcu::ReadLock read;
  Entry* current = nullptr;
  int err = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current = link(find_link_locked(key)).load(std::memory_order_relaxed);
    err = current == nullptr ? -ENOENT : current->revision != revision ? -EBUSY : 0;
    if (err == 0) link_locked(fresh);
  }
  if (err != 0) {
    Entry::destroy(fresh);  // never published
    return err;
  }
  Entry::retire(current);
  *new_revision = fresh->revision;
  return recheck_published(fresh);
}

int HashTable::snapshot(TableSnapshot* out) const {
  try {
    std::vector<const Entry*> entries;
    rcu::ReadLock read;
    for_each([&](const Entry* entry) { entries.push_back(entry); });
    std::sort(entries.begin(), entries.end(), [](const Entry* x, const Entry* y) { return x->key < y->key; });
    TableSnapshot snap;
    datapath::reserve(snap, entries.size());
    for (const Entry* entry : entries) datapath::append(snap, entry->key, entry);
    *out = std::move(snap);
  } catch (const std::bad_alloc&) {
    *out = TableSnapshot{};
    return -ENOMEM;
  }
  return 0;
}

void HashTable::purge_stale() {
  // Inside the purge's read-side section. A concurrent replace wins (an unlinked entry is not
  // unlinked again); its publisher re-checks the device itself.
  for_each([&](Entry* entry) {
    if (!entry->device_still_current()) unpublish(entry);
  });
}

void HashTable::drain() {
  // A grace period after the table became unreachable: no reader or writer is left.
  for (uint64_t b = 0; b <= mask_; ++b) {
    Entry* e = link(&buckets_[b]).exchange(nullptr, std::memory_order_relaxed);
    while (e != nullptr) {
      Entry* next = link(&e->next).load(std::memory_order_relaxed);
      Entry::destroy(e);
      e = next;
    }
  }
  count_ = 0;
}

}  // namespace rt

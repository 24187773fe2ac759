#include "hash_table.hpp"

#include <algorithm>
#include <cerrno>
#include <new>

#include "datapath.hpp"
#include "namespace.hpp"
#include "race_point.hpp"
#include "table_registry.hpp"

namespace rt {

namespace {

unsigned long hash_key(uint32_t key) {
  uint64_t h = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull;
  return static_cast<unsigned long>(h ^ (h >> 31));
}

int match_key(cds_lfht_node* node, const void* key) {
  return caa_container_of(node, Entry, hash_node)->key == *static_cast<const uint32_t*>(key);
}

Entry* entry_of(cds_lfht_node* node) { return node == nullptr ? nullptr : caa_container_of(node, Entry, hash_node); }

}  // namespace

int HashTable::create(uint32_t max_entries, Namespace* ns, HashTable** out) {
  if (max_entries == 0) return -EINVAL;
  unsigned long buckets = 1;
  while (buckets < max_entries && buckets < (1ul << 30)) buckets <<= 1;
  // Sized once: min = max = initial, no automatic resize.
  cds_lfht* ht = cds_lfht_new_flavor(buckets, buckets, buckets, 0, &urcu_memb_flavor, nullptr);
  if (ht == nullptr) return -ENOMEM;
  auto* table = new (std::nothrow) HashTable(max_entries, ht, ns);
  if (table == nullptr) {
    cds_lfht_destroy(ht, nullptr);
    return -ENOMEM;
  }
  TableRegistry::instance().add(table);
  *out = table;
  return 0;
}

HashTable::HashTable(uint32_t max_entries, cds_lfht* ht, Namespace* ns) : Table(ns), max_entries_(max_entries), ht_(ht) {}

HashTable::~HashTable() { cds_lfht_destroy(ht_, nullptr); }

Entry* HashTable::find(uint32_t key, cds_lfht_iter* iter) const {
  cds_lfht_iter local;
  cds_lfht_iter* it = iter != nullptr ? iter : &local;
  cds_lfht_lookup(ht_, hash_key(key), match_key, &key, it);
  return entry_of(cds_lfht_iter_get_node(it));
}

template <typename Fn>
void HashTable::for_each(Fn fn) const {
  cds_lfht_iter iter;
  for (cds_lfht_first(ht_, &iter); cds_lfht_iter_get_node(&iter) != nullptr; cds_lfht_next(ht_, &iter)) {
    fn(entry_of(cds_lfht_iter_get_node(&iter)));
  }
}

bool HashTable::read(uint32_t key, EntryView* out) const {
  rcu::ReadLock read;
  const Entry* entry = find(key);
  if (entry == nullptr || entry->claimed()) return false;  // a claimed entry is being deleted
  *out = EntryView{entry->ifindex, entry->revision, entry->last_used.load(std::memory_order_relaxed)};
  return true;
}

int HashTable::make_entry(uint32_t key, int ifindex, Entry** out) {
  if (int err = Entry::resolve(ns(), ifindex, out)) return err;
  (*out)->key = key;
  cds_lfht_node_init(&(*out)->hash_node);
  return 0;
}

bool HashTable::unpublish(Entry* entry) {
  if (cds_lfht_del(ht_, &entry->hash_node) != 0) return false;  // removed by someone else
  count_.fetch_sub(1, std::memory_order_relaxed);
  Entry::retire(entry);
  return true;
}

int HashTable::publish(Entry* entry) {
  rcu::ReadLock read;
  const uint32_t key = entry->key;
  for (;;) {
    cds_lfht_iter iter;
    Entry* old = find(key, &iter);
    if (old != nullptr) {
      if (cds_lfht_replace(ht_, &iter, hash_key(key), match_key, &key, &entry->hash_node) == 0) {
        Entry::retire(old);
        break;
      }
      continue;  // the old node went away meanwhile: look again
    }
    if (count_.fetch_add(1, std::memory_order_relaxed) >= static_cast<int64_t>(max_entries_)) {
      count_.fetch_sub(1, std::memory_order_relaxed);
      // A racing insert of this very key may hold the last reservation: then this is a replace.
      if (find(key) != nullptr) continue;
      Entry::destroy(entry);  // never published
      return -E2BIG;
    }
    if (cds_lfht_add_unique(ht_, hash_key(key), match_key, &key, &entry->hash_node) == &entry->hash_node) break;
    count_.fetch_sub(1, std::memory_order_relaxed);  // someone added the key first: replace it
  }
  RT_RACE_POINT();
  if (entry->device_still_current()) return 0;
  unpublish(entry);  // the device went away (or moved): the notifier may have passed already
  return -ENODEV;
}

int HashTable::update(uint32_t key, int ifindex, uint64_t* revision) {
  Entry* entry = nullptr;
  if (int err = make_entry(key, ifindex, &entry)) return err;
  uint64_t rev = entry->revision;
  int err = publish(entry);
  if (err == 0 && revision != nullptr) *revision = rev;
  return err;
}

int HashTable::remove(uint32_t key) {
  rcu::ReadLock read;
  for (;;) {
    Entry* entry = find(key);
    if (entry == nullptr) return 0;
    if (unpublish(entry)) return 1;
  }
}

int HashTable::update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, size_t* bad_index) {
  {
    // Capacity first, so a full table changes nothing (a racing writer can still fill it).
    rcu::ReadLock read;
    std::vector<uint32_t> fresh;
    for (size_t i = 0; i < n; ++i) {
      if (find(keys[i]) == nullptr && std::find(fresh.begin(), fresh.end(), keys[i]) == fresh.end()) fresh.push_back(keys[i]);
    }
    if (count_.load(std::memory_order_relaxed) + static_cast<int64_t>(fresh.size()) > max_entries_) {
      *bad_index = 0;
      return -E2BIG;
    }
  }
  std::vector<Entry*> entries(n, nullptr);
  for (size_t i = 0; i < n; ++i) {
    int err = make_entry(keys[i], ifindexes[i], &entries[i]);
    if (err != 0) {
      for (Entry* entry : entries) {
        if (entry != nullptr) Entry::destroy(entry);
      }
      *bad_index = i;
      return err;
    }
  }
  int result = 0;
  for (size_t i = 0; i < n; ++i) {
    int err = publish(entries[i]);
    if (err == -E2BIG && result == 0) {
      *bad_index = i;
      result = err;
    }
  }
  return result;
}

long HashTable::remove_batch(const uint32_t* keys, size_t n, size_t*) {
  long removed = 0;
  for (size_t i = 0; i < n; ++i) removed += remove(keys[i]);
  return removed;
}

size_t HashTable::lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const {
  return datapath::lookup_batch([this](uint32_t key) { return find(key); }, keys, out, n);
}

std::vector<uint32_t> HashTable::keys() const {
  std::vector<uint32_t> result;
  {
    rcu::ReadLock read;
    for_each([&](const Entry* entry) { result.push_back(entry->key); });
  }
  std::sort(result.begin(), result.end());
  return result;
}

size_t HashTable::redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                           size_t n) {
  return datapath::redirect(this, [this](uint32_t key) { return find(key); }, keys, ids, lengths, verdicts, n);
}

int HashTable::redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) {
  return datapath::redirect_one(this, [this](uint32_t k) { return find(k); }, key, id, length, opened_section);
}

size_t HashTable::broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) {
  return datapath::broadcast(this, [this](auto fn) { for_each(fn); }, ids, lengths, n, exclude_ifindex);
}

int HashTable::compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) {
  rcu::ReadLock read;  // keeps the node we compare from being freed and reused
  Entry* entry = find(key);
  if (entry == nullptr) return -ENOENT;
  if (entry->revision != revision) return -EBUSY;
  if (last_used != nullptr && !entry->claim(*last_used)) return -EBUSY;
  RT_RACE_POINT();
  if (unpublish(entry)) return 0;
  // A set, delete or purge removed that node first: the revision we compared is gone either way.
  return find(key) == nullptr ? -ENOENT : -EBUSY;
}

int HashTable::compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) {
  Entry* fresh = nullptr;
  if (int err = make_entry(key, ifindex, &fresh)) return err;
  rcu::ReadLock read;
  cds_lfht_iter iter;
  Entry* current = find(key, &iter);
  int err = current == nullptr ? -ENOENT : current->revision != revision ? -EBUSY : 0;
  if (err == 0 && cds_lfht_replace(ht_, &iter, hash_key(key), match_key, &key, &fresh->hash_node) != 0) {
    err = find(key) == nullptr ? -ENOENT : -EBUSY;
  }
  if (err != 0) {
    Entry::destroy(fresh);  // never published
    return err;
  }
  Entry::retire(current);
  *new_revision = fresh->revision;
  if (fresh->device_still_current()) return 0;
  unpublish(fresh);
  return -ENODEV;
}

TableSnapshot HashTable::snapshot() const {
  std::vector<const Entry*> entries;
  rcu::ReadLock read;
  for_each([&](const Entry* entry) { entries.push_back(entry); });
  std::sort(entries.begin(), entries.end(), [](const Entry* x, const Entry* y) { return x->key < y->key; });
  TableSnapshot snap;
  for (const Entry* entry : entries) datapath::append(snap, entry->key, entry);
  return snap;
}

void HashTable::purge_device(Device* dev) {
  // Inside the notifier's read-side section. A concurrent replace wins (del fails on a removed
  // node); its publisher re-checks the device itself.
  for_each([&](Entry* entry) {
    if (entry->device == dev) unpublish(entry);
  });
}

void HashTable::drain() {
  // A grace period after the table became unreachable: no reader or writer is left.
  std::vector<Entry*> entries;
  {
    rcu::ReadLock read;
    for_each([&](Entry* entry) { entries.push_back(entry); });
    for (Entry* entry : entries) cds_lfht_del(ht_, &entry->hash_node);
  }
  for (Entry* entry : entries) Entry::destroy(entry);
  count_.store(0, std::memory_order_relaxed);
}

}  // namespace rt

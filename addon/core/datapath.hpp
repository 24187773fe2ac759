// The datapath and the reads shared by every table kind, parameterised by how the kind finds
// entries: find(key) -> Entry* (inside a read-side section), for_each(fn(Entry*)) over every
// entry.
// Kept in a header so each kind's lookups inline into the per-frame loop.
#pragma once

#include <cerrno>
#include <cstdint>
#include <new>
#include <vector>

#include "bulk_queues.hpp"
#include "device.hpp"
#include "entry.hpp"
#include "read_once.hpp"
#include "table.hpp"
#include "verdict.hpp"

namespace rt::datapath {

// The verdict for a frame of `length` to `entry`'s device; the counter to charge when refused.
inline int verdict_for(const Entry* entry, uint32_t length, TableCounter* refused) {
  if (entry == nullptr) {
    *refused = kMisses;
    return verdict::kNoEntry;
  }
  const Device* dev = entry->device;
  if (!dev->is_up()) {
    *refused = kDown;
    return verdict::kDown;
  }
  if (length > dev->mtu()) {
    *refused = kTooBig;
    return verdict::kTooBig;
  }
  return verdict::kOk;
}

// See Table::read.
template <typename Find>
bool read_entry(Find find, uint32_t key, EntryView* out) {
  rcu::ReadLock read;
  const Entry* entry = find(key);
  if (entry == nullptr) return false;
  *out = EntryView{entry->ifindex, entry->revision, entry->last_used_ms()};
  return true;
}

// See Table::lookup_batch.
template <typename Find>
size_t lookup_batch(Find find, const uint32_t* keys, int32_t* out, size_t n) {
  rcu::ReadLock read;
  size_t hits = 0;
  for (size_t i = 0; i < n; ++i) {
    const Entry* entry = find(read_once(&keys[i]));
    out[i] = entry != nullptr ? entry->ifindex : 0;
    hits += entry != nullptr;
  }
  return hits;
}

// Reserves room for `n` entries in every column (throws std::bad_alloc, like append).
inline void reserve(TableSnapshot& snap, size_t n) {
  snap.keys.reserve(n);
  snap.ifindexes.reserve(n);
  snap.revisions.reserve(n);
  snap.last_used.reserve(n);
}

// Appends `entry` (under `key`) to a snapshot.
inline void append(TableSnapshot& snap, uint32_t key, const Entry* entry) {
  snap.keys.push_back(key);
  snap.ifindexes.push_back(entry->ifindex);
  snap.revisions.push_back(entry->revision);
  snap.last_used.push_back(entry->last_used_ms());
}

// Frames ahead whose entries a batch prefetches (their lookups miss L1 in tables of a few
// thousand entries and more).
inline constexpr size_t kLookAhead = 8;

// See Table::redirect.
// Each frame's key, id and length are read once (read_once.hpp): the length checked against the
// MTU is the length queued.
template <typename Find, typename Prefetch>
long redirect(Table* table, Find find, Prefetch prefetch, const uint32_t* keys, const uint32_t* ids,
              const uint32_t* lengths, int32_t* verdicts, size_t n) {
  uint64_t refused[kTableCounterCount] = {};
  size_t accepted = 0;
  const uint64_t now = coarse_now_ms();
  BulkQueues* q = BulkQueues::current();
  if (q == nullptr) return -ENOMEM;
  BulkQueues& queues = *q;
  rcu::ReadLock read;
  queues.begin_batch(verdicts, table, 0);
  for (size_t i = 0; i < n; ++i) {
    if (i + kLookAhead < n) prefetch(read_once(&keys[i + kLookAhead]));
    const uint32_t key = read_once(&keys[i]);
    const Frame frame{read_once(&ids[i]), read_once(&lengths[i])};
    Entry* entry = find(key);
    TableCounter why = kMisses;
    int verdict = verdict_for(entry, frame.length, &why);
    // Before the enqueue: a transmit it triggers may rewrite this frame's verdict.
    if (verdicts != nullptr) verdicts[i] = verdict;
    if (verdict == 0) {
      if (entry->last_used.load(std::memory_order_relaxed) < now) entry->refresh(now);
      queues.enqueue_in_batch(entry->device, frame, static_cast<uint32_t>(i));
      ++accepted;
    } else {
      ++refused[why];
    }
  }
  queues.flush();
  const size_t lost = queues.end_batch();
  auto& c = table->counters();
  c.add(kRedirected, accepted);
  if (n != accepted) {
    c.add(kMisses, refused[kMisses]);
    c.add(kDown, refused[kDown]);
    c.add(kTooBig, refused[kTooBig]);
  }
  return static_cast<long>(accepted - lost);
}

// See Table::redirect_one.
template <typename Find>
int redirect_one(Table* table, Find find, uint32_t key, uint32_t id, uint32_t length, bool* opened_section) {
  *opened_section = false;
  BulkQueues* q = BulkQueues::current();
  if (q == nullptr) return -ENOMEM;
  BulkQueues& queues = *q;
  *opened_section = queues.open_section();
  Entry* entry = find(key);
  TableCounter why = kMisses;
  int verdict = verdict_for(entry, length, &why);
  if (verdict == 0) {
    entry->refresh(coarse_now_ms());
    queues.enqueue(table, entry->device, Frame{id, length});
    table->counters().add(kRedirected, 1);
  } else {
    table->counters().add(why, 1);
  }
  return verdict;
}

// See Table::broadcast. Walks the entries once (never next-key iteration, which restarts
// and duplicates), then sends each frame to each target found. Each frame's id and length are
// read once, so every target sees the same frame. -ENOMEM (nothing sent) when the queues or the
// list of targets cannot be allocated.
template <typename ForEach>
long broadcast(Table* table, ForEach for_each, const uint32_t* ids, const uint32_t* lengths, size_t n,
               int exclude_ifindex) {
  BulkQueues* q = BulkQueues::current();
  if (q == nullptr) return -ENOMEM;
  BulkQueues& queues = *q;
  rcu::ReadLock read;
  thread_local std::vector<const Entry*> targets;
  targets.clear();
  try {
    for_each([&](const Entry* entry) {
      if (entry->ifindex != exclude_ifindex && entry->device->is_up()) targets.push_back(entry);
    });
  } catch (const std::bad_alloc&) {
    std::vector<const Entry*>().swap(targets);
    return -ENOMEM;
  }
  size_t accepted = 0;
  uint64_t too_big = 0;
  queues.begin_batch(nullptr, table, exclude_ifindex);  // no verdicts: refused copies are only counted
  for (size_t i = 0; i < n; ++i) {
    const Frame frame{read_once(&ids[i]), read_once(&lengths[i])};
    for (const Entry* entry : targets) {
      if (frame.length > entry->device->mtu()) {
        ++too_big;
        continue;
      }
      queues.enqueue_in_batch(entry->device, frame, static_cast<uint32_t>(i));
      ++accepted;
    }
  }
  queues.flush();
  const size_t lost = queues.end_batch();
  table->counters().add(kRedirected, accepted);
  if (too_big != 0) table->counters().add(kTooBig, too_big);
  return static_cast<long>(accepted - lost);
}

}  // namespace rt::datapath

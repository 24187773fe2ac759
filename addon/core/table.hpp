// What every table kind shares: a process-unique id, the namespace its ifindexes resolve in,
// handle reference counting (done by the TableRegistry) and the unregister notifier hook.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "rcu.hpp"
#include "thread_slot.hpp"

#include <urcu/list.h>

namespace rt {

class SlotMemory;

class Namespace;
struct EntryView;

// Every entry at one moment (parallel arrays, ascending keys).
// The element a batch failed on: its index and the key and ifindex read there.
struct BatchFault {
  size_t index = 0;
  uint32_t key = 0;
  int32_t ifindex = 0;
};

struct TableSnapshot {
  std::vector<uint32_t> keys;
  std::vector<int32_t> ifindexes;
  std::vector<uint64_t> revisions;
  std::vector<uint64_t> last_used;
};

// Datapath counters, per thread, summed on read.
enum TableCounter : unsigned {
  kRedirected,  // frames that passed their verdict and entered a bulk queue
  kMisses,      // -ENOENT verdicts
  kDown,        // -ENETDOWN verdicts
  kTooBig,      // -EMSGSIZE verdicts
  kFlushes,     // flushes that transmitted at least one bulk of this table
  kBulks,       // bulks transmitted (they carry every frame counted in kRedirected)
  kNoBufs,      // frames a sink refused: ring full or beyond a partial-accept fault (-ENOBUFS)
  kTxErrors,    // frames a sink failed under an error fault (-EIO)
  kTableCounterCount
};

class Table {
 public:
  explicit Table(Namespace* ns);  // takes a reference on `ns`
  virtual ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  uint32_t id() const { return id_; }
  Namespace* ns() const { return ns_; }

  // The unregistration purge (purge_worker.hpp): unpublishes every entry whose device is no
  // longer current (Entry::device_still_current), the same way. Inside a read-side section.
  virtual void purge_stale() = 0;

  // --- the operations every kind offers (see ArrayTable for their contracts) ---
  // Array tables: keys are slot indexes < max_entries (E2BIG beyond). Hash tables: any u32
  // key, at most max_entries entries (E2BIG when full).
  virtual bool keyed_by_index() const = 0;
  virtual uint32_t max_entries() const = 0;
  virtual bool read(uint32_t key, EntryView* out) const = 0;
  virtual int update(uint32_t key, int ifindex, uint64_t* revision) = 0;
  virtual int remove(uint32_t key) = 0;
  // Input arrays (keys, ifindexes, ids, lengths) may be rewritten by another thread during the
  // call: each element is read exactly once (see read_once.hpp).
  // Batches: 0 or a negative errno; with an error nothing was changed (see update_batch of
  // each kind). -ENOMEM when scratch memory cannot be allocated.
  // On an error, *fault names the element at fault with the values the batch read (the caller
  // must not read the input again: it may have changed).
  virtual int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) = 0;
  virtual long remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) = 0;
  virtual size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const = 0;
  // Keys with an entry, ascending, into *out: 0, or -ENOMEM (*out left empty).
  virtual int keys(std::vector<uint32_t>* out) const = 0;
  // Frames delivered into rings, or -ENOMEM when this thread's bulk queues cannot be allocated
  // (nothing sent).
  virtual long redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                        size_t n) = 0;
  // The verdict; -ENOMEM when this thread's bulk queues cannot be allocated.
  virtual int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) = 0;
  // Copies delivered into rings, or -ENOMEM (nothing sent).
  virtual long broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) = 0;
  virtual int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) = 0;
  virtual int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) = 0;
  // Every entry into *out: 0, or -ENOMEM (*out left empty).
  virtual int snapshot(TableSnapshot* out) const = 0;
  // Slot memory whose ifindex words may be read without a native call (array tables where
  // slots are wide: slots.hpp), or nullptr.
  virtual SlotMemory* readable_slots() const { return nullptr; }

  PerThreadCounters<kTableCounterCount>& counters() { return counters_; }
  const PerThreadCounters<kTableCounterCount>& counters() const { return counters_; }

 protected:
  // Frees every entry now. Called once, a grace period after the table became unreachable.
  virtual void drain() = 0;

 private:
  friend class TableRegistry;

  struct ListLink {  // standard layout, so the RCU list can map a node back to its table
    cds_list_head node;
    Table* table;
  };

  struct FreeLink {  // standard layout: the rcu_head that frees the table maps back to it
    rcu_head head;
    Table* table;
  };

  Namespace* const ns_;
  uint32_t id_ = 0;
  uint32_t handles_ = 0;  // guarded by the registry's mutex
  ListLink link_{{nullptr, nullptr}, this};
  std::function<void()> on_freed_;
  FreeLink free_link_{};
  PerThreadCounters<kTableCounterCount> counters_;
};

}  // namespace rt

// What every table kind shares: a process-unique id, the namespace its ifindexes resolve in,
// handle reference counting (done by the TableRegistry), the unregistration purge hook, and the
// operations every kind offers, with their contracts (the kinds' declarations add only what is
// their own: what E2BIG means, how a batch interleaves with other writers).
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

// The element a batch failed on: its index and the key and ifindex read there.
struct BatchFault {
  size_t index = 0;
  uint32_t key = 0;
  int32_t ifindex = 0;
};

// Every entry at one moment (parallel arrays, ascending keys).
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
  // longer current (Entry::device_still_current), one at a time: an update that replaced the
  // entry meanwhile wins (its publisher re-checks its own device). Called inside a read-side
  // section (the registry's walk); never waits for a grace period.
  virtual void purge_stale() = 0;

  // --- the operations every kind offers ---
  // Any thread, concurrently with any other call: each takes the read-side sections it needs
  // (none needs the caller's). Keys: array tables take slot indexes < max_entries (-E2BIG
  // beyond); hash tables any u32 key, at most max_entries entries (-E2BIG when a new key does
  // not fit). Input arrays (keys, ifindexes, ids, lengths) may be rewritten by another thread
  // during the call: each element is read exactly once (read_once.hpp).

  // True for array tables (keys are slot indexes), false for hash tables.
  virtual bool keyed_by_index() const = 0;
  virtual uint32_t max_entries() const = 0;

  // -- single-key reads and writes --
  // Copies the entry under `key` into *out (in its own read-side section); false when there is
  // none (or the key is out of range).
  virtual bool read(uint32_t key, EntryView* out) const = 0;
  // Points `key` at the device `ifindex` of the table's namespace: 0 and the new entry's
  // revision in *revision (may be null), or -E2BIG or -ENOMEM (nothing changed), or -ENODEV:
  // no registered device with that ifindex (nothing changed), or it started unregistering or
  // moved meanwhile (the entry, already visible, is taken back; the one it replaced stays
  // removed).
  virtual int update(uint32_t key, int ifindex, uint64_t* revision) = 0;
  // 1 when an entry was removed, 0 when there was none, -E2BIG (array tables: out of range).
  virtual int remove(uint32_t key) = 0;

  // -- batches --
  // Everything is validated and built before anything changes: on an error nothing was set.
  // 0, or -ENOMEM when scratch memory cannot be allocated, else -E2BIG when a key does not fit
  // (reported before the rest), else -ENODEV or -ENOMEM for the first element whose entry
  // cannot be built. With all but the scratch -ENOMEM, *fault names the element at fault with
  // the values the batch read (the caller must not read the input again: it may have
  // changed). A device that starts unregistering while the batch publishes takes its entries
  // back afterwards (set, then purged): not an error. How the batch interleaves with other
  // writers is the kind's (see its declaration).
  virtual int update_batch(const uint32_t* keys, const int32_t* ifindexes, size_t n, BatchFault* fault) = 0;
  // The number of entries removed, or -E2BIG (with *fault) / -ENOMEM, before removing anything.
  // Per key against concurrent writers. (Hash tables never fail, and ignore `fault`.)
  virtual long remove_batch(const uint32_t* keys, size_t n, BatchFault* fault) = 0;
  // Writes the ifindex of each key's entry (0 when none, or out of range) into out[i], all in
  // one read-side section (each key atomically, not a snapshot); returns the hits.
  virtual size_t lookup_batch(const uint32_t* keys, int32_t* out, size_t n) const = 0;

  // -- whole-table reads --
  // Keys with an entry, ascending, into *out: 0, or -ENOMEM (*out left empty).
  virtual int keys(std::vector<uint32_t>* out) const = 0;
  // Every entry into *out, in one read-side section: 0, or -ENOMEM (*out left empty).
  virtual int snapshot(TableSnapshot* out) const = 0;

  // -- datapath --
  // For each frame: look up keys[i], check the device (up, length <= MTU), queue the frame on
  // this thread's bulk queue for the destination; then flush everything, all in one read-side
  // section. verdicts (may be null): 0 delivered into the device's ring, -ENOENT no entry (or
  // key out of range), -ENETDOWN device down, -EMSGSIZE longer than the MTU, -ENOBUFS refused
  // by the sink (ring full, or beyond a partial-accept fault), -EIO failed by an error fault.
  // Returns the frames delivered, or -ENOMEM (nothing sent) when this thread's bulk queues
  // cannot be allocated.
  virtual long redirect(const uint32_t* keys, const uint32_t* ids, const uint32_t* lengths, int32_t* verdicts,
                        size_t n) = 0;
  // One frame into the thread's per-frame section (see BulkQueues); *opened_section is set when
  // this call opened it, so the caller arranges the flush. Returns the enqueue verdict (0, or
  // one of redirect's refusals before the sink); a later refusal by the sink is counted only.
  // -ENOMEM (nothing sent) when this thread's bulk queues cannot be allocated.
  virtual int redirect_one(uint32_t key, uint32_t id, uint32_t length, bool* opened_section) = 0;
  // Every frame to every entry's device except `exclude_ifindex` (0: none), walking the entries
  // once; entries whose device is down or whose MTU is below the frame's length are skipped.
  // Returns the copies delivered into rings, or -ENOMEM (nothing sent).
  virtual long broadcast(const uint32_t* ids, const uint32_t* lengths, size_t n, int exclude_ifindex) = 0;

  // -- conditional updates (for garbage collectors) --
  // Deletes the entry under `key` only if it has `revision` and, when `last_used` is given, was
  // last used at *last_used (it is claimed first, so a racing refresh either lands before the
  // claim, making this EBUSY, or loses and cannot resurrect the entry). 0, -ENOENT (no entry),
  // -EBUSY (another revision, or refreshed since), -E2BIG.
  virtual int compare_and_delete(uint32_t key, uint64_t revision, const uint64_t* last_used) = 0;
  // Replaces the entry under `key` only if it has `revision`: 0 and *new_revision, or -ENOENT,
  // -EBUSY, -ENODEV (no such device, or it went away meanwhile: taken back as by update),
  // -E2BIG, -ENOMEM.
  virtual int compare_and_set(uint32_t key, int ifindex, uint64_t revision, uint64_t* new_revision) = 0;

  // Slot memory whose ifindex words may be read without a native call (array tables where
  // slots are wide: slots.hpp), or nullptr. The caller takes a reference
  // (SlotMemory::retain) for each view it makes.
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

// What every table kind shares: a process-unique id, the namespace its ifindexes resolve in,
// handle reference counting (done by the TableRegistry) and the unregister notifier hook.
#pragma once

#include <cstdint>
#include <functional>

#include "rcu.hpp"
#include "thread_slot.hpp"

#include <urcu/list.h>

namespace rt {

class Device;
class Namespace;

// Datapath counters, per thread, summed on read.
enum TableCounter : unsigned {
  kRedirected,  // frames accepted into a bulk queue
  kMisses,      // -ENOENT verdicts
  kDown,        // -ENETDOWN verdicts
  kTooBig,      // -EMSGSIZE verdicts
  kFlushes,     // flushes that transmitted at least one bulk of this table
  kBulks,       // bulks transmitted
  kBulkFrames,  // frames in those bulks
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

  // The unregister notifier: unpublishes every entry that references `dev` with a
  // compare-exchange (a concurrent update that replaced the entry wins). Called inside a
  // read-side section; never waits.
  virtual void purge_device(Device* dev) = 0;

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

  Namespace* const ns_;
  uint32_t id_ = 0;
  uint32_t handles_ = 0;  // guarded by the registry's mutex
  ListLink link_{{nullptr, nullptr}, this};
  std::function<void()> on_freed_;
  PerThreadCounters<kTableCounterCount> counters_;
};

}  // namespace rt

// The process-wide registry of live tables: ids for opening a table from any thread, handle
// reference counts, and the RCU list the unregister notifier walks.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "table.hpp"

namespace rt {

// What list() reports of one live table.
struct TableInfo {
  uint32_t id;
  bool keyed_by_index;  // an array table (else a hash table)
  uint32_t max_entries;
  uint32_t namespace_id;
};

class TableRegistry {
 public:
  static TableRegistry& instance();

  // Publishes a new table with one handle reference and assigns its id: 0, or -ENOMEM (the
  // table is not published; the caller deletes it).
  int add(Table* table);

  // Takes a handle reference on the table with `id`; nullptr when there is none.
  Table* open(uint32_t id);

  // Drops a handle reference. The last one unlists the table and frees it after a grace
  // period; `done` (may be empty) runs once the table is freed, or now when it was not the last.
  void release(Table* table, std::function<void()> done);

  // The unregistration purge (purge_worker.hpp): every live table's stale entries (walked under RCU).
  void purge_stale_entries();

  size_t size();

  // Every live table (one that still has a handle reference), ascending id, into *out: 0, or
  // -ENOMEM (*out left empty).
  int list(std::vector<TableInfo>* out);

 private:
  TableRegistry();

  std::mutex mu_;  // guards by_id_, next_id_, every table's handles_ and list updates
  std::unordered_map<uint32_t, Table*> by_id_;
  uint32_t next_id_ = 1;
  cds_list_head tables_;
};

}  // namespace rt

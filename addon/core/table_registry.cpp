#include "table_registry.hpp"

#include <algorithm>
#include <cerrno>
#include <new>
#include <utility>

#include <urcu/rculist.h>

#include "alloc.hpp"
#include "namespace.hpp"

namespace rt {

Table::Table(Namespace* ns) : ns_(ns) { ns_->retain(); }

Table::~Table() { ns_->release(); }

TableRegistry& TableRegistry::instance() {
  // Immortal: call_rcu callbacks may still reach it while the process exits.
  static TableRegistry* const registry = new TableRegistry();
  return *registry;
}

TableRegistry::TableRegistry() { CDS_INIT_LIST_HEAD(&tables_); }

int TableRegistry::add(Table* table) {
  if (alloc::inject_failure()) return -ENOMEM;
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t id = next_id_;
  while (id == 0 || by_id_.count(id) != 0) ++id;
  try {
    by_id_.emplace(id, table);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
  next_id_ = id + 1;
  table->id_ = id;
  table->handles_ = 1;
  cds_list_add_tail_rcu(&table->link_.node, &tables_);
  return 0;
}

Table* TableRegistry::open(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return nullptr;
  ++it->second->handles_;
  return it->second;
}

void TableRegistry::release(Table* table, std::function<void()> done) {
  bool last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = --table->handles_ == 0;
    if (last) {
      by_id_.erase(table->id_);
      cds_list_del_rcu(&table->link_.node);
    }
  }
  if (!last) {
    if (done) done();
    return;
  }
  table->on_freed_ = std::move(done);
  // After a grace period no notifier walk can still be inside the table. No allocation here:
  // a release cannot fail.
  table->free_link_.table = table;
  rcu::call_after_grace_period(&table->free_link_.head, [](rcu_head* head) {
    Table* freeing = caa_container_of(head, Table::FreeLink, head)->table;
    freeing->drain();
    std::function<void()> freed = std::move(freeing->on_freed_);
    delete freeing;
    if (freed) freed();
  });
}

void TableRegistry::purge_stale_entries() {
  rcu::ReadLock read;
  cds_list_head* pos;
  cds_list_for_each_rcu(pos, &tables_) {
    caa_container_of(pos, Table::ListLink, node)->table->purge_stale();
  }
}

int TableRegistry::list(std::vector<TableInfo>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!alloc::clear_and_reserve(out, by_id_.size())) return -ENOMEM;
  // Under mu_ every listed table has a handle reference, so it is alive while it is read.
  for (const auto& [id, table] : by_id_) out->push_back({id, table->keyed_by_index(), table->max_entries(), table->ns()->id()});
  std::sort(out->begin(), out->end(), [](const TableInfo& a, const TableInfo& b) { return a.id < b.id; });
  return 0;
}

size_t TableRegistry::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace rt

#include "table_registry.hpp"

#include <utility>

#include <urcu/rculist.h>

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

void TableRegistry::add(Table* table) {
  std::lock_guard<std::mutex> lock(mu_);
  while (next_id_ == 0 || by_id_.count(next_id_) != 0) ++next_id_;
  table->id_ = next_id_++;
  table->handles_ = 1;
  by_id_.emplace(table->id_, table);
  cds_list_add_tail_rcu(&table->link_.node, &tables_);
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
  // After a grace period no notifier walk can still be inside the table.
  rcu::defer([table] {
    table->drain();
    std::function<void()> freed = std::move(table->on_freed_);
    delete table;
    if (freed) freed();
  });
}

void TableRegistry::notify_unregister(Device* dev) {
  rcu::ReadLock read;
  cds_list_head* pos;
  cds_list_for_each_rcu(pos, &tables_) {
    caa_container_of(pos, Table::ListLink, node)->table->purge_device(dev);
  }
}

size_t TableRegistry::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace rt

#include "table_registry.hpp"

namespace peers {

constinit TableRegistry g_tables;

uint32_t TableRegistry::add(LockedTable* table) {
  std::lock_guard<std::mutex> lock(mu_);
  if (count_ == kMaxTables) return 0;
  tables_[count_].store(table, std::memory_order_release);
  return ++count_;
}

}  // namespace peers

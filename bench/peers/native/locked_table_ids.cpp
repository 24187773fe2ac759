#include "locked_table_ids.hpp"

namespace peers {

constinit LockedTableIds g_tables;

uint32_t LockedTableIds::add(LockedTable* table) {
  std::lock_guard<std::mutex> lock(mu_);
  if (count_ == kMaxTables) return 0;
  tables_[count_].store(table, std::memory_order_release);
  return ++count_;
}

}  // namespace peers

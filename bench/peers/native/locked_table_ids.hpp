// The ids of the locked tables, process-global: every thread (main or worker) of the process
// sees the same tables by the same ids. Ids are 1, 2, ... and never reused; a table object is never freed
// (destroy() only releases its storage), so a thread still holding an id after another thread
// destroyed the table gets Status::kClosed, never a dangling pointer.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "locked_table.hpp"

namespace peers {

class LockedTableIds {
 public:
  static constexpr uint32_t kMaxTables = 4096;

  constexpr LockedTableIds() = default;
  LockedTableIds(const LockedTableIds&) = delete;
  LockedTableIds& operator=(const LockedTableIds&) = delete;

  // The new table's id, 0 when every id was used; the id map then owns `table`.
  uint32_t add(LockedTable* table);

  // Cheap enough for the hot paths: one acquire load. nullptr for an id never handed out.
  LockedTable* find(uint32_t id) const {
    return id - 1 < kMaxTables ? tables_[id - 1].load(std::memory_order_acquire) : nullptr;
  }

 private:
  std::mutex mu_;             // serialises add()
  uint32_t count_ = 0;        // ids handed out, guarded by mu_
  std::atomic<LockedTable*> tables_[kMaxTables]{};  // index id - 1
};

// Constant-initialised: usable before and after any thread's addon initialisation.
extern LockedTableIds g_tables;

}  // namespace peers

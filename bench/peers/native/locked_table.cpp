#include "basic_locked_table.hpp"
#include "locked_table.hpp"

namespace peers {

LockedTable* make_locked_table(LockKind kind, uint32_t max_entries) {
  switch (kind) {
    case LockKind::kSharedMutex:
      return BasicLockedTable<SharedMutexPolicy>::create(max_entries);
    case LockKind::kMutex:
      return BasicLockedTable<MutexPolicy>::create(max_entries);
  }
  return nullptr;
}

}  // namespace peers

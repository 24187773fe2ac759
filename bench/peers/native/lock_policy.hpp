// The two lock policies a LockedTable is instantiated with. Each names the mutex type and the
// guard a reader and a writer hold, so the table's code is the same for both kinds.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace peers {

// Readers share the lock, writers take it exclusively (std::shared_mutex).
struct SharedMutexPolicy {
  using Mutex = std::shared_mutex;
  using ReadGuard = std::shared_lock<Mutex>;
  using WriteGuard = std::unique_lock<Mutex>;
};

// One plain std::mutex for everything: readers serialise too.
struct MutexPolicy {
  using Mutex = std::mutex;
  using ReadGuard = std::lock_guard<Mutex>;
  using WriteGuard = std::lock_guard<Mutex>;
};

}  // namespace peers

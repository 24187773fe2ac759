// The package's own service threads (the reclaimer, the purge worker, the unregister worker, the
// arena trimmer): started on first use, detached, never exiting (docs/design.md, "Threads",
// rule 12). A thread that cannot start never fails the call that needed it: each has a fallback.
// REDIRECT_TABLE_SERVICE_THREADS=0 behaves as a process that cannot start the first three (its
// thread limit reached), so that tests run their fallbacks: callbacks on liburcu's call_rcu
// worker, purges and cross-namespace unregister work on the calling thread.
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

namespace rt {

inline bool service_threads_allowed() {
  static const bool allowed = [] {
    const char* setting = std::getenv("REDIRECT_TABLE_SERVICE_THREADS");
    return setting == nullptr || std::strcmp(setting, "0") != 0;
  }();
  return allowed;
}

// Starts a detached thread running `run`; false when the system refuses one (the process's
// thread limit, or no memory for it).
template <typename Run>
bool try_start_thread(Run run) {
  try {
    std::thread(std::move(run)).detach();
    return true;
  } catch (const std::system_error&) {
  } catch (const std::bad_alloc&) {
  }
  return false;
}

// try_start_thread for the threads REDIRECT_TABLE_SERVICE_THREADS=0 refuses.
template <typename Run>
bool start_service_thread(Run run) {
  return service_threads_allowed() && try_start_thread(std::move(run));
}

}  // namespace rt

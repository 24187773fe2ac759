// Whether the package may start its own service threads (the reclaimer, the purge worker).
// REDIRECT_TABLE_SERVICE_THREADS=0 behaves as a process that cannot start them (its thread limit
// reached), so that tests run the fallbacks: callbacks on liburcu's call_rcu worker, purges on
// the calling thread.
#pragma once

#include <cstdlib>
#include <cstring>

namespace rt {

inline bool service_threads_allowed() {
  static const bool allowed = [] {
    const char* setting = std::getenv("REDIRECT_TABLE_SERVICE_THREADS");
    return setting == nullptr || std::strcmp(setting, "0") != 0;
  }();
  return allowed;
}

}  // namespace rt

// The package's own service threads (the reclaimer, the purge worker, the unregister worker, the
// arena trimmer): started on first use, detached, never exiting (docs/design.md, "Threads",
// rule 12). A thread that cannot start never fails the call that needed it: each has a fallback.
// REDIRECT_TABLE_SERVICE_THREADS=0 behaves as a process that cannot start the first three (its
// thread limit reached), so that tests run their fallbacks: callbacks on liburcu's call_rcu
// worker, purges and cross-namespace unregister work on the calling thread.
#pragma once

#include <chrono>
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

// How long a refused service thread waits before a later call tries to start it again.
inline constexpr std::chrono::milliseconds kServiceThreadRetry{100};

// A service thread started on first use; when it cannot start, a later call tries again (at
// most every kServiceThreadRetry), so a passing thread limit costs only the fallback meanwhile.
// Guarded by its owner's mutex.
class ServiceThreadStart {
 public:
  // True when the thread runs (started now or before).
  template <typename Run>
  bool ensure(Run run) {
    if (running_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) return false;
    running_ = start_service_thread(std::move(run));
    if (!running_) retry_at_ = now + kServiceThreadRetry;
    return running_;
  }

 private:
  bool running_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace rt

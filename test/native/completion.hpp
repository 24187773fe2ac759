// A one-shot completion the native tests wait on: signalled from any thread (an RCU callback,
// the unregister worker), waited for with a bound so a lost completion fails instead of hanging.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace stress {

struct Completion {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  void signal() {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_all();
  }
  // False when it did not complete within the bound.
  bool wait() {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [this] { return done; });
  }
};

}  // namespace stress

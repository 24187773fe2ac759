#include "arena_trim.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "service_threads.hpp"

namespace rt::memory {

namespace {

using Clock = std::chrono::steady_clock;

// A worker's isolate is disposed after its environment's cleanup hooks ran: wait for it.
constexpr auto kQuiet = std::chrono::milliseconds(200);
// Exits that keep coming still get a trim this long after the first of them.
constexpr auto kLongestWait = std::chrono::seconds(2);
// A trim locks each arena in turn while it walks the arena's free chunks.
constexpr auto kMinInterval = std::chrono::seconds(1);

std::atomic<uint64_t> trims{0};
std::atomic<uint64_t> longest_us{0};

class Trimmer {
 public:
  // nullptr when out of memory at the first request (then nothing is ever trimmed).
  static Trimmer* instance() {
    static auto* const trimmer = new (std::nothrow) Trimmer();  // immortal, like its thread
    return trimmer;
  }

  void request() {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = Clock::now();
    if (!requested_) first_request_ = now;
    requested_ = true;
    last_request_ = now;
    if (!started_) {
      if (!try_start_thread([this] { run(); })) {  // no thread now: the next exit asks again
        requested_ = false;
        return;
      }
      started_ = true;
    }
    cv_.notify_one();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return requested_; });
      for (;;) {  // until kQuiet without a request, or kLongestWait after the first
        const auto due = std::min(last_request_ + kQuiet, first_request_ + kLongestWait);
        if (Clock::now() >= due) break;
        cv_.wait_until(lock, due);
      }
      requested_ = false;
      lock.unlock();
      const auto begun = Clock::now();
#if defined(__GLIBC__)
      malloc_trim(0);
#endif
      const auto us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - begun).count());
      if (us > longest_us.load(std::memory_order_relaxed)) longest_us.store(us, std::memory_order_relaxed);
      trims.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(kMinInterval);
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool started_ = false;
  Clock::time_point first_request_, last_request_;
};

}  // namespace

void trim_after_thread_exit() {
  // REDIRECT_TABLE_ARENA_TRIM=0 turns it off (README, "Memory in long runs").
  static const bool enabled = [] {
    const char* setting = std::getenv("REDIRECT_TABLE_ARENA_TRIM");
    return setting == nullptr || std::strcmp(setting, "0") != 0;
  }();
  if (!enabled) return;
  if (Trimmer* trimmer = Trimmer::instance()) trimmer->request();
}

TrimStats trim_stats() { return {trims.load(std::memory_order_relaxed), longest_us.load(std::memory_order_relaxed)}; }

}  // namespace rt::memory

#include "purge_worker.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "table_registry.hpp"

namespace rt::purge_worker {

namespace {

class PurgeWorker {
 public:
  static PurgeWorker& instance() {
    static auto* const worker = new PurgeWorker();  // immortal, like its thread
    return *worker;
  }

  void schedule(std::function<void()> then) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (start_locked()) {
        try {
          queue_.push_back(std::move(then));
          wake_.notify_one();
          return;
        } catch (const std::bad_alloc&) {
        }
      }
    }
    walk();  // here, as before the worker existed
    then();
  }

  unsigned long walks() const { return walks_.load(std::memory_order_relaxed); }

  void walk() {
    TableRegistry::instance().purge_stale_entries();
    walks_.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  bool start_locked() {
    if (!started_) {
      started_ = true;
      try {
        std::thread([this] { run(); }).detach();
        running_ = true;
      } catch (const std::system_error&) {
        running_ = false;  // e.g. the process's thread limit: purge on the caller from now on
      }
    }
    return running_;
  }

  void run() {
    std::vector<std::function<void()>> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        batch.swap(queue_);
      }
      walk();  // one walk for every device queued before it
      for (auto& then : batch) then();
      batch.clear();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> queue_;  // guarded by mu_
  bool started_ = false;                      // guarded by mu_
  bool running_ = false;                      // guarded by mu_
  std::atomic<unsigned long> walks_{0};
};

}  // namespace

void schedule(std::function<void()> then) { PurgeWorker::instance().schedule(std::move(then)); }

unsigned long walks() { return PurgeWorker::instance().walks(); }

}  // namespace rt::purge_worker

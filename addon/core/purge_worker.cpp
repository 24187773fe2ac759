#include "purge_worker.hpp"

#include <condition_variable>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "device.hpp"
#include "rcu.hpp"
#include "service_threads.hpp"
#include "table_registry.hpp"

namespace rt::purge_worker {

namespace {

class PurgeWorker {
 public:
  static PurgeWorker& instance() {
    static auto* const worker = new PurgeWorker();  // immortal, like its thread
    return *worker;
  }

  void schedule(Device* dev, std::function<void()> then) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (start_locked()) {
        try {
          queue_.push_back(Job{dev, std::move(then)});
          wake_.notify_one();
          return;
        } catch (const std::bad_alloc&) {
        }
      }
    }
    if (dev->referenced()) purge();  // here, as before the worker existed
    then();
  }

 private:
  // One walk of every live table, then the grace period of what it retired and of the entries
  // the devices still wait for (replaced lazily before the mark) now, not after the lazy delay.
  static void purge() {
    TableRegistry::instance().purge_stale_entries();
    rcu::expedite_grace_period();
  }

  // False e.g. at the process's thread limit: purge on the caller meanwhile.
  bool start_locked() { return thread_.ensure([this] { run(); }); }

  struct Job {
    Device* dev;
    std::function<void()> then;
  };

  void run() {
    std::vector<Job> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        batch.swap(queue_);
      }
      // One walk for every device queued before it, unless none of them is referenced.
      bool referenced = false;
      for (const Job& job : batch) referenced = referenced || job.dev->referenced();
      if (referenced) purge();
      for (Job& job : batch) job.then();
      batch.clear();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Job> queue_;  // guarded by mu_
  ServiceThreadStart thread_;                 // guarded by mu_
};

}  // namespace

void schedule(Device* dev, std::function<void()> then) { PurgeWorker::instance().schedule(dev, std::move(then)); }


}  // namespace rt::purge_worker

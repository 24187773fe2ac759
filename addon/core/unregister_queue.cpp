// The unregister queues (the kernel's per-netns cleanup work): how a device is unregistered
// from another namespace than its own. Namespace::queue_unregister puts the device on its own
// namespace's queue (at most one queue per device; queuing again only adds a continuation) and
// schedules that namespace's work; the unregister worker, one native thread started on first
// use and immortal, runs each scheduled namespace's work, which unregisters the whole batch
// with Namespace::unregister_device (device_unregister.cpp). When that thread cannot start (the
// process's thread limit, or REDIRECT_TABLE_SERVICE_THREADS=0), whoever scheduled the work runs
// it once it holds no lock (run_scheduled_work). A move carries a queued device
// over to its new namespace's queue (device_move.cpp). docs/design.md, "Reclamation and
// unregistration"; verify/unregister-queue.pml models the queue against moves.
//
// Locks (docs/design.md, "Locks"): a queue and its work_scheduled_ flag are
// guarded by their namespace's mu_; the worker's own mutex is a leaf, held only to queue work,
// start the thread or sleep, never while the work runs.
#include "namespace.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "service_threads.hpp"

namespace rt {

namespace {

// Runs namespaces' unregister work on one native thread (the kernel's per-netns work items).
class UnregisterWorker {
 public:
  static UnregisterWorker& instance() {
    static auto* const worker = new UnregisterWorker();  // immortal, like its thread
    return *worker;
  }

  // Queues `work` for the worker thread, starting it on first use. False when there is no
  // worker (it could not start): then nothing was queued.
  bool schedule(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.ensure([this] { run(); })) return false;
    queue_.push_back(std::move(work));
    cv_.notify_one();
    return true;
  }

 private:
  void run() {
    for (;;) {
      std::vector<std::function<void()>> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        batch.swap(queue_);
      }
      for (auto& work : batch) work();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> queue_;
  ServiceThreadStart thread_;  // guarded by mu_
};

}  // namespace

void Namespace::queue_unregister(Device* dev, std::function<void()> done) {
  for (;;) {
    Namespace* ns = retain_namespace_of(dev);
    std::unique_lock<std::mutex> lock(ns->mu_);
    if (dev->ns() != ns) {  // moved meanwhile
      lock.unlock();
      ns->release();
      continue;
    }
    // Pinned by the lock from here on: the device holds a reference on its namespace.
    ns->release();
    if (dev->state() != DeviceState::Registered) {
      lock.unlock();
      dev->when_unregistered(std::move(done));
      return;
    }
    if (dev->queued_on_ == ns) {  // on this queue already: only wait
      for (QueuedUnregister& q : ns->unregister_queue_) {
        if (q.device == dev) q.done.push_back(std::move(done));
      }
      return;
    }
    dev->retain();
    dev->queued_on_ = ns;
    ns->unregister_queue_.push_back(QueuedUnregister{dev, {std::move(done)}});
    const bool handed_over = ns->schedule_work_locked();
    lock.unlock();
    if (!handed_over) ns->run_scheduled_work();
    return;
  }
}

bool Namespace::schedule_work_locked() {
  if (work_scheduled_) return true;  // the worker, or the caller that scheduled it, will run it
  work_scheduled_ = true;
  retain();  // until the work ran
  return UnregisterWorker::instance().schedule([this] { run_scheduled_work(); });
}

void Namespace::run_scheduled_work() {
  run_unregister_work();
  release();
}

void Namespace::run_unregister_work() {
  std::vector<QueuedUnregister> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(unregister_queue_);
    for (QueuedUnregister& q : batch) q.device->queued_on_ = nullptr;
    work_scheduled_ = false;
  }
  for (QueuedUnregister& q : batch) {
    auto all = std::make_shared<std::vector<std::function<void()>>>(std::move(q.done));
    unregister_device(q.device, [all] {
      for (auto& done : *all) {
        if (done) done();
      }
    });
    q.device->release();
  }
}

}  // namespace rt

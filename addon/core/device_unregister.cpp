// Unregistering a device (the kernel's unregister_netdevice): Namespace::unregister_device marks
// the device unregistering and unlists it under its namespace's mu_, then, with no lock held,
// starts its dependents (veth peer, uppers: directly in the same namespace, through their
// namespace's unregister queue otherwise, unregister_queue.cpp) and hands the purge of every
// table (the unregister notifier) to the purge worker; the base usage reference goes after the
// purge. docs/design.md, "Reclamation and unregistration".
//
// Locks (docs/design.md, "Locks"): one Namespace::mu_ at a time, released
// before the dependents start and before the notifier is scheduled: the notifier never runs
// under a namespace lock (with no purge worker it runs on this thread, still with no lock).
#include "namespace.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "purge_worker.hpp"
#include "race_point.hpp"

namespace rt {

void Namespace::unregister_device(Device* dev, std::function<void()> done) {
  Namespace* origin = nullptr;  // pinned while we use it
  bool started = false;
  for (;;) {
    Namespace* ns = retain_namespace_of(dev);
    {
      std::lock_guard<std::mutex> lock(ns->mu_);
      if (dev->ns() == ns) {  // else it moved meanwhile: lock its new namespace
        if (dev->state() == DeviceState::Registered) {
          dev->mark_unregistering();
          ns->unlist_locked(dev);
          ns->reserved_ifindexes_.insert(dev->ifindex());  // kept until released
          ns->draining_.insert(dev);
          started = true;
        }
        origin = ns;
      }
    }
    if (origin != nullptr) break;
    ns->release();
  }
  if (!started) {  // already unregistering: only wait (outside every lock: `done` may lock)
    origin->release();
    dev->when_unregistered(std::move(done));
    return;
  }
  std::vector<Device*> dependents = dev->take_dependents();
  // `done` runs when the device and every dependent are released.
  auto remaining = std::make_shared<std::atomic<size_t>>(dependents.size() + 1);
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  auto arrive = [remaining, shared_done] {
    if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1 && *shared_done) (*shared_done)();
  };
  dev->when_unregistered(arrive);
  RT_RACE_POINT();
  for (Device* dependent : dependents) {
    unregister_from(origin, dependent, arrive);
    dependent->release();
  }
  origin->release();
  // The purge walks every table: on the purge worker, never on this (maybe JS) thread. The base
  // usage reference goes after it; the job keeps the device's memory until then.
  dev->retain();
  purge_worker::schedule(dev, [dev] {
    dev->release_base_usage();
    dev->release();
  });
}

void Namespace::unregister_from(Namespace* origin, Device* dev, std::function<void()> done) {
  if (dev->ns() == origin) {
    unregister_device(dev, std::move(done));
  } else {
    queue_unregister(dev, std::move(done));
  }
}

}  // namespace rt

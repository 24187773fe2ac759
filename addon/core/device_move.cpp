// Moving a device to another namespace (the kernel's dev_change_net_namespace):
// Namespace::move_device checks and prepares everything that can fail, then unlists the device
// from its source, bumps its generation (Device::mark_moving), re-lists it in the target (same
// ifindex if free there) and carries it over to the target's unregister queue if it was
// queued (unregister_queue.cpp). The entries resolved before the move are stale from then on;
// the purge worker removes them and then runs `purged`. docs/design.md, "Reclamation and
// unregistration" (Moves).
//
// Locks (docs/design.md, "Locks"): both namespaces' mu_ through PairLock
// (ascending id), held from the re-check of the device's namespace until it is listed in the
// target; under them only the device's own mu_ (its name) and, for a queued device, the
// unregister worker's leaf mutex. The purge (the notifier) is scheduled after both are
// released, so it never runs under a namespace lock (with no purge worker it runs on this
// thread, still with no lock held).
#include "namespace.hpp"

#include <algorithm>
#include <cerrno>
#include <functional>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include "namespace_pair_lock.hpp"
#include "purge_worker.hpp"
#include "race_point.hpp"

namespace rt {

int Namespace::move_device(Device* dev, Namespace* target, const std::string* new_name,
                           std::function<void()> purged) {
  if (dev->netns_local()) return -EINVAL;
  if (new_name != nullptr) {
    if (int err = validate_device_name(*new_name)) return err;
  }
  if (dev->backend() == target) return -EINVAL;  // a tunnel cannot live in its backend
  Namespace* left = nullptr;  // the source, whose reference the device held
  bool run_target_work = false;  // no unregister worker: run the target's queue here, unlocked
  for (;;) {
    Namespace* source = retain_namespace_of(dev);
    struct Unpin {
      Namespace* ns;
      ~Unpin() { ns->release(); }  // after the locks below are released
    } unpin{source};
    if (source == target) {  // nothing to move; an unregistering device still says so
      bool registered;
      {
        std::lock_guard<std::mutex> lock(source->mu_);
        registered = dev->registered();
      }
      if (!registered) return -ENODEV;
      if (purged) purged();
      return 0;
    }
    PairLock lock(source->mu_, source->id_, target->mu_, target->id_);  // released before the purge
    if (dev->ns() != source) continue;  // moved meanwhile
    if (!dev->registered() || source->state_ != NamespaceState::Alive) return -ENODEV;
    if (target->state_ != NamespaceState::Alive) return -ENOENT;
    std::string name = new_name != nullptr ? *new_name : dev->name();
    if (target->by_name_.count(name) != 0) return -EEXIST;
    const int cursor = target->next_ifindex_;
    int ifindex = dev->ifindex();
    if (target->reserved_ifindexes_.count(ifindex) != 0) ifindex = target->allocate_ifindex_locked();
    if (ifindex < 0) return ifindex;
    // What can fail (ENOMEM) comes first, before any change: the target's bookkeeping, and room
    // on its unregister queue should the device be queued for unregistration.
    IndexNode* node = nullptr;
    int err = 0;
    try {
      if (dev->queued_on_ == source) target->unregister_queue_.reserve(target->unregister_queue_.size() + 1);
    } catch (const std::bad_alloc&) {
      err = -ENOMEM;
    }
    if (err == 0) err = target->prepare_listing_locked(dev, ifindex, name, &node);
    if (err != 0) {
      target->next_ifindex_ = cursor;
      return err;
    }
    source->unlist_locked(dev);
    dev->mark_moving();
    RT_RACE_POINT();
    // The entries resolved before the move are stale from here on (their generation is older):
    // the purge worker removes them, with no lock of ours held.
    target->retain();
    dev->set_identity(target, ifindex, name);
    target->index_add_locked(node);
    if (dev->queued_on_ == source) {  // queued for unregistration: its new namespace's queue
      auto it = std::find_if(source->unregister_queue_.begin(), source->unregister_queue_.end(),
                             [dev](const QueuedUnregister& q) { return q.device == dev; });
      QueuedUnregister moved = std::move(*it);
      source->unregister_queue_.erase(it);
      dev->queued_on_ = target;
      target->unregister_queue_.push_back(std::move(moved));
      run_target_work = !target->schedule_work_locked();
    }
    left = source;
    break;
  }
  left->release();
  dev->retain();  // until the purge ran
  purge_worker::schedule(dev, [dev, purged = std::move(purged)] {
    if (purged) purged();
    dev->release();
  });
  if (run_target_work) target->run_scheduled_work();
  return 0;
}

}  // namespace rt

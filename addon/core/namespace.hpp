// A namespace (the kernel's struct net): an isolated set of devices with its own ifindex space.
// The root namespace always exists; others are created by name and destroyed.
//
// Lifetime: a reference count held by the registry (until destroy() completes), by every
// device and table of the namespace and by every handle; memory is freed a grace period after
// the last one goes (the root is never freed).
//
// Locking: the registry mutex guards the id/name maps. mu_ guards the control-plane maps, the
// ifindex allocator, the destroy state and its waiters, the unregister queue. Publishers
// resolve ifindexes without it, through an RCU-protected cds_lfht index of registered devices.
// Lock order (docs/design.md, "Locks"): registry mutex before Namespace::mu_ before Device::mu_;
// two namespaces' mu_ in ascending id, always through PairLock (namespace_pair_lock.hpp). No
// purge, completion or waiter runs under mu_ (rule 20): unregistration and moves schedule the
// purge of every table after releasing every namespace lock.
//
// Where the members are defined: namespace.cpp (the object, its device maps and index, plain
// devices), namespace_registry.cpp (create/open/list/destroy), device_kinds.cpp (veth, upper,
// tunnel), device_unregister.cpp (unregister_device), unregister_queue.cpp (queue_unregister
// and its worker thread), device_move.cpp (move_device).
#pragma once

#include <cstdint>
#include <functional>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "device.hpp"
#include "rcu.hpp"

struct cds_lfht;

namespace rt {

enum class NamespaceState : uint8_t { Alive, Destroying, Destroyed };

const char* namespace_state_name(NamespaceState state);

class Namespace {
 public:
  // Namespaces allocated and not yet freed, the root included (for leak checks).
  static long live_count();

  static constexpr uint32_t kRootId = 1;
  static constexpr size_t kMaxNameLength = 64;

  // The root namespace; it always exists and is never freed.
  static Namespace* root();
  // Creates the root namespace if it does not exist yet, at load: its ifindex index is the first
  // auto-resizing cds_lfht, which starts liburcu's hash-table worker thread, and liburcu ends
  // the process when it cannot start that thread. So a thread is probed first: false (and no
  // root yet) when none can start now (the process's thread limit).
  static bool prepare_root();

  // Device kinds. Each returns its device(s) with a lifetime reference owned by the caller, or
  // the errors of create_device (a veth pair is created whole or not at all), plus:
  // create_veth_pair: -EEXIST when both ends share a namespace and a name.
  static int create_veth_pair(Namespace* ns_a, const std::string& name_a, const DeviceConfig& config_a,
                              Namespace* ns_b, const std::string& name_b, const DeviceConfig& config_b, Device** a,
                              Device** b);
  // create_upper: -ENODEV the lower is unregistering, -EINVAL `kind` is not an upper kind.
  static int create_upper(Device* lower, DeviceKind kind, Namespace* ns, const std::string& name,
                          const DeviceConfig& config, Device** out);
  // create_tunnel: -EINVAL the backend is this namespace, -ENOENT the backend is being destroyed.
  int create_tunnel(const std::string& name, Namespace* backend, const DeviceConfig& config, Device** out);

  // Registry. Results carry a reference owned by the caller.
  // create: -EINVAL bad name (1-64 bytes, no '/' or NUL), -EEXIST name taken, -ENOMEM.
  static int create(const std::string& name, Namespace** out);
  static Namespace* open(uint32_t id);             // nullptr when absent or destroyed
  static Namespace* open(const std::string& name);  // likewise
  // Live namespaces, ascending id, each retained: 0, or -ENOMEM (*out empty, nothing retained).
  static int list(std::vector<Namespace*>* out);

  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  NamespaceState state();

  void retain() { lifetime_.fetch_add(1, std::memory_order_relaxed); }
  void release();
  // A reference unless the namespace is already being freed (its memory outlives a read-side
  // section that found it, so this is safe there).
  bool try_retain();
  // The device's current namespace with a reference for the caller (the device may be moving).
  static Namespace* retain_namespace_of(const Device* dev);

  // Leaves the registry at once (open/list no longer find it, new devices are refused), then
  // unregisters every device of the namespace; `done` runs once all of them are released
  // (possibly on another thread, possibly before this returns). Calling it again only adds
  // `done`. -EINVAL for the root namespace.
  int destroy(std::function<void()> done);

  // Registers a new device and returns it in *out with a lifetime reference owned by the
  // caller. Errors: -EINVAL bad name, MTU or ring size, -EEXIST name taken, -EBUSY no free
  // ifindex, -ENOENT the namespace is being destroyed, -ENOMEM (its ring, name or bookkeeping
  // could not be allocated; nothing changed, the next ifindex included).
  int create_device(const std::string& name, const DeviceConfig& config, Device** out);

  // Registered devices only; each result carries a lifetime reference owned by the caller.
  Device* find_device(int ifindex);
  Device* find_device(const std::string& name);
  // Registered devices, ascending ifindex, each retained: 0, or -ENOMEM (*out empty).
  int devices(std::vector<Device*>* out);

  // For publishers: a usage reference on the registered device with `ifindex`, or nullptr,
  // and the device's generation as found (re-checked after publishing). Lock-free (RCU).
  Device* acquire_device_usage(int ifindex, uint64_t* generation);

  // Moves `dev` to `target`, renamed to `*new_name` when given: registers it in `target` with
  // the same ifindex if free there, a new one otherwise, and purges the entries resolved before
  // the move from every table (the kernel sends NETDEV_UNREGISTER on a move too) on the purge
  // worker; `purged` (may be empty) runs once they are gone, from any thread (at once when no
  // table referenced the device). -EINVAL netns-local device or bad name, -EEXIST name taken in
  // the target, -ENODEV unregistering (or its namespace being destroyed), -ENOENT target being
  // destroyed, -EBUSY no free ifindex: `purged` is then not called. Moving to its own
  // namespace changes nothing (and calls `purged` at once).
  static int move_device(Device* dev, Namespace* target, const std::string* new_name,
                         std::function<void()> purged = {});

  // Starts the unregistration of `dev` (a no-op when it already started): unlists it, queues
  // the purge of every table (purge_worker.hpp), after which the base usage reference is
  // dropped. `done` runs once the usage is gone (after grace periods), possibly on another
  // thread, possibly before this returns.
  // Works on the device's current namespace (it may move meanwhile). Its dependents (veth
  // peer, uppers) are unregistered too: directly when they are in the same namespace, through
  // their own namespace's unregister queue otherwise; `done` waits for them as well.
  static void unregister_device(Device* dev, std::function<void()> done);

  // Cross-namespace unregistration: queues `dev` on its namespace's unregister queue (a device
  // is on at most one queue; queuing it again only adds `done`) and schedules that namespace's
  // work, which unregisters everything queued in one batch on a native worker thread.
  static void queue_unregister(Device* dev, std::function<void()> done);

  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

 private:
  friend class Device;
  friend struct rcu::DeferredDelete<Namespace>;
  struct IndexNode;

  Namespace(uint32_t id, std::string name);
  ~Namespace();
  int allocate_ifindex_locked();
  int create_device_locked(const std::string& name, const DeviceConfig& config, Device** out);
  void forget_tunnel(Device* tunnel);
  // With mu_ held: have this namespace's unregister work run soon, on the unregister worker.
  // False when there is no worker: the caller runs it with run_scheduled_work() once it holds
  // no lock (the namespace stays referenced until then).
  [[nodiscard]] bool schedule_work_locked();
  void run_scheduled_work();  // runs the scheduled work, then drops the reference it held
  void run_unregister_work();
  // Unregisters `dev` where it is now: directly if it is in `origin`, queued otherwise.
  static void unregister_from(Namespace* origin, Device* dev, std::function<void()> done);
  void unlist_locked(Device* dev);  // removes from maps and index; the node is freed after a grace period
  // Lists `dev` under `ifindex` and `name`: 0, or -ENOMEM with nothing listed.
  int list_locked(Device* dev, int ifindex, const std::string& name);
  // list_locked in two steps: the maps (0 or -ENOMEM with nothing changed), then the lock-free
  // index (cannot fail), so that a move can fail before it changes anything.
  int prepare_listing_locked(Device* dev, int ifindex, const std::string& name, IndexNode** out);
  void index_add_locked(IndexNode* node);
  void finish_destroy();
  // Appends the registered devices to *out, ascending ifindex, each retained (destroy).
  void retain_registered_locked(std::vector<Device*>* out);
  void forget_device(Device* dev);  // the unregistration finished: free its ifindex

  const uint32_t id_;
  const std::string name_;
  cds_lfht* index_;  // ifindex -> IndexNode, registered devices

  std::mutex mu_;
  std::map<int, IndexNode*> by_ifindex_;  // registered devices
  std::unordered_map<std::string, Device*> by_name_;
  std::set<int> reserved_ifindexes_;  // registered and not yet released
  std::set<Device*> draining_;         // unregistering, not yet released (destroy waits for them)
  int next_ifindex_ = 1;
  NamespaceState state_ = NamespaceState::Alive;
  std::vector<std::function<void()>> destroy_waiters_;
  std::vector<Device*> tunnels_;  // tunnels (in other namespaces) whose backend this is

  struct QueuedUnregister {
    Device* device;  // lifetime reference
    std::vector<std::function<void()>> done;
  };
  std::vector<QueuedUnregister> unregister_queue_;  // guarded by mu_
  bool work_scheduled_ = false;                     // guarded by mu_

  std::atomic<int64_t> lifetime_{1};  // the registry's reference
  rcu::DeferredDelete<Namespace> deferred_delete_{};
};

}  // namespace rt

#include "namespace.hpp"

#include <cerrno>
#include <algorithm>
#include <climits>
#include <condition_variable>
#include <thread>
#include <memory>
#include <utility>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "purge_worker.hpp"
#include "race_point.hpp"
#include "rcu.hpp"
#include "table_registry.hpp"

#include <urcu/rculfhash.h>

namespace rt {

namespace {

std::atomic<uint64_t> next_device_serial{1};

// The registry of live namespaces. Immortal: callbacks may reach it while the process exits.
struct Registry {
  std::mutex mu;
  std::map<uint32_t, Namespace*> by_id;
  std::unordered_map<std::string, Namespace*> by_name;
  uint32_t next_id = Namespace::kRootId + 1;
};

Registry& registry() {
  static Registry* const instance = new Registry();
  return *instance;
}

int validate_namespace_name(const std::string& name) {
  if (name.empty() || name.size() > Namespace::kMaxNameLength) return -EINVAL;
  for (char c : name) {
    if (c == '/' || c == '\0') return -EINVAL;
  }
  return 0;
}

unsigned long hash_ifindex(int ifindex) {
  uint64_t h = static_cast<uint64_t>(static_cast<uint32_t>(ifindex)) * 0x9E3779B97F4A7C15ull;
  return static_cast<unsigned long>(h ^ (h >> 29));
}

}  // namespace

struct Namespace::IndexNode {
  cds_lfht_node node;
  rcu_head rcu;
  int ifindex;
  Device* device;

  static int match(cds_lfht_node* node, const void* key) {
    return caa_container_of(node, IndexNode, node)->ifindex == *static_cast<const int*>(key);
  }
  static void free_after_grace_period(rcu_head* head) { delete caa_container_of(head, IndexNode, rcu); }
};

const char* namespace_state_name(NamespaceState state) {
  switch (state) {
    case NamespaceState::Alive: return "alive";
    case NamespaceState::Destroying: return "destroying";
    case NamespaceState::Destroyed: return "destroyed";
  }
  return "unknown";
}

Namespace* Namespace::root() {
  // Immortal: call_rcu callbacks may still reach it while the process exits.
  static Namespace* const instance = [] {
    auto* ns = new Namespace(kRootId, "root");
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.by_id.emplace(kRootId, ns);
    r.by_name.emplace(ns->name_, ns);
    return ns;
  }();
  return instance;
}

namespace {
std::atomic<long> live_namespaces{0};  // constructions minus destructions
}  // namespace

long Namespace::live_count() { return live_namespaces.load(std::memory_order_relaxed); }

Namespace::Namespace(uint32_t id, std::string name) : id_(id), name_(std::move(name)) {
  index_ = cds_lfht_new_flavor(64, 64, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, &urcu_memb_flavor, nullptr);
  if (index_ == nullptr) throw std::bad_alloc();
  live_namespaces.fetch_add(1, std::memory_order_relaxed);
  memory::allocated(memory::kNamespaces, sizeof(Namespace));
}

Namespace::~Namespace() {
  live_namespaces.fetch_sub(1, std::memory_order_relaxed);
  memory::freed(memory::kNamespaces, sizeof(Namespace));
  // Every device left the index before the last reference went (liburcu >= 0.10 allows this
  // from a call_rcu callback: resizes run on the hash table's own worker).
  cds_lfht_destroy(index_, nullptr);
}

int Namespace::create(const std::string& name, Namespace** out) {
  if (int err = validate_namespace_name(name)) return err;
  root();  // the root is registered first, with id 1
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.by_name.count(name) != 0) return -EEXIST;
  Namespace* ns = nullptr;
  bool by_id = false;
  try {
    if (alloc::inject_failure()) throw std::bad_alloc();
    ns = new Namespace(r.next_id, name);
    r.by_id.emplace(ns->id_, ns);
    by_id = true;
    r.by_name.emplace(name, ns);
  } catch (const std::bad_alloc&) {  // nothing registered, the id not taken
    if (by_id) r.by_id.erase(ns->id_);
    delete ns;
    return -ENOMEM;
  }
  ++r.next_id;
  ns->retain();
  *out = ns;
  return 0;
}

namespace {

// The namespace under `key` in one of the registry's maps, retained; nullptr when absent.
template <typename Map, typename Key>
Namespace* open_in(Map Registry::*map, const Key& key) {
  Namespace::root();  // registered first, with id 1
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = (r.*map).find(key);
  if (it == (r.*map).end()) return nullptr;
  it->second->retain();
  return it->second;
}

}  // namespace

Namespace* Namespace::open(uint32_t id) { return open_in(&Registry::by_id, id); }

Namespace* Namespace::open(const std::string& name) { return open_in(&Registry::by_name, name); }

int Namespace::list(std::vector<Namespace*>* out) {
  root();
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!alloc::clear_and_reserve(out, r.by_id.size())) return -ENOMEM;
  for (auto& [id, ns] : r.by_id) {
    ns->retain();
    out->push_back(ns);
  }
  return 0;
}

NamespaceState Namespace::state() {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool Namespace::try_retain() {
  int64_t n = lifetime_.load(std::memory_order_relaxed);
  while (n > 0) {
    if (lifetime_.compare_exchange_weak(n, n + 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
  }
  return false;
}

Namespace* Namespace::retain_namespace_of(const Device* dev) {
  for (;;) {
    rcu::ReadLock read;
    Namespace* ns = dev->ns();
    // Fails only if the namespace is being freed: then the device has moved on; read again.
    if (ns->try_retain()) return ns;
  }
}

void Namespace::release() {
  if (lifetime_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // A publisher may still be inside acquire_device_usage() on this namespace's index.
  rcu::delete_after_grace_period(&deferred_delete_, this);
}

int Namespace::destroy(std::function<void()> done) {
  if (id_ == kRootId) return -EINVAL;
  std::vector<Device*> devices;
  bool already_destroyed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == NamespaceState::Destroyed) {
      already_destroyed = true;
    } else {
      destroy_waiters_.push_back(std::move(done));
      if (state_ == NamespaceState::Destroying) return 0;
      state_ = NamespaceState::Destroying;
      for (auto& [ifindex, node] : by_ifindex_) {
        node->device->retain();
        devices.push_back(node->device);
      }
      for (Device* draining : draining_) {  // already unregistering: wait for them too
        draining->retain();
        devices.push_back(draining);
      }
      for (Device* tunnel : tunnels_) {  // tunnels elsewhere whose backend goes away
        tunnel->retain();
        devices.push_back(tunnel);
      }
    }
  }
  if (already_destroyed) {
    if (done) done();
    return 0;
  }
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.by_id.erase(id_);
    r.by_name.erase(name_);
  }
  // One count per device plus one for this call, so completion cannot run before every
  // unregistration has started.
  auto remaining = std::make_shared<std::atomic<size_t>>(devices.size() + 1);
  auto arrive = [this, remaining] {
    if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) finish_destroy();
  };
  for (Device* dev : devices) {
    unregister_from(this, dev, arrive);  // a tunnel in another namespace goes through its queue
    dev->release();
  }
  arrive();
  return 0;
}

void Namespace::finish_destroy() {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = NamespaceState::Destroyed;
    waiters.swap(destroy_waiters_);
  }
  for (auto& waiter : waiters) {
    if (waiter) waiter();
  }
  release();  // the registry's reference
}

int Namespace::allocate_ifindex_locked() {
  // Cyclic from 1, skipping ifindexes still registered or draining.
  for (long tries = 0; tries < INT_MAX; ++tries) {
    int candidate = next_ifindex_;
    next_ifindex_ = candidate == INT_MAX ? 1 : candidate + 1;
    if (reserved_ifindexes_.count(candidate) == 0) return candidate;
  }
  return -EBUSY;
}

int Namespace::create_device(const std::string& name, const DeviceConfig& config, Device** out) {
  std::lock_guard<std::mutex> lock(mu_);
  return create_device_locked(name, config, out);
}

int Namespace::create_device_locked(const std::string& name, const DeviceConfig& config, Device** out) {
  if (int err = validate_device_name(name)) return err;
  if (config.mtu < kMinMtu || config.mtu > kMaxMtu || !Sink::valid_size(config.ring_size)) return -EINVAL;
  if (state_ != NamespaceState::Alive) return -ENOENT;
  if (by_name_.count(name) != 0) return -EEXIST;
  const int cursor = next_ifindex_;  // restored on failure: a failed creation changes nothing
  int ifindex = allocate_ifindex_locked();
  if (ifindex < 0) return ifindex;
  Device* dev = nullptr;
  int err = Device::create(this, name, ifindex, config, next_device_serial.fetch_add(1, std::memory_order_relaxed), &dev);
  if (err == 0) {
    err = list_locked(dev, ifindex, name);
    if (err != 0) delete dev;  // never visible to anyone
  }
  if (err != 0) {
    next_ifindex_ = cursor;
    return err;
  }
  dev->retain();
  *out = dev;
  return 0;
}

namespace {

// Locks two namespaces' mutexes in ascending id order (one lock when they are the same).
class PairLock {
 public:
  PairLock(std::mutex& a, uint32_t id_a, std::mutex& b, uint32_t id_b)
      : first_(id_a <= id_b ? a : b), second_(id_a <= id_b ? b : a), same_(&a == &b) {
    first_.lock();
    if (!same_) second_.lock();
  }
  ~PairLock() {
    if (!same_) second_.unlock();
    first_.unlock();
  }
  PairLock(const PairLock&) = delete;
  PairLock& operator=(const PairLock&) = delete;

 private:
  std::mutex& first_;
  std::mutex& second_;
  bool same_;
};

}  // namespace

int Namespace::create_veth_pair(Namespace* ns_a, const std::string& name_a, const DeviceConfig& config_a,
                                Namespace* ns_b, const std::string& name_b, const DeviceConfig& config_b, Device** a,
                                Device** b) {
  if (ns_a == ns_b && name_a == name_b) return -EEXIST;
  PairLock lock(ns_a->mu_, ns_a->id_, ns_b->mu_, ns_b->id_);
  // Check both before creating either, so a pair is created whole or not at all.
  for (auto [ns, name] : {std::pair{ns_a, &name_a}, std::pair{ns_b, &name_b}}) {
    if (int err = validate_device_name(*name)) return err;
    if (ns->state_ != NamespaceState::Alive) return -ENOENT;
    if (ns->by_name_.count(*name) != 0) return -EEXIST;
  }
  for (const DeviceConfig* config : {&config_a, &config_b}) {
    if (config->mtu < kMinMtu || config->mtu > kMaxMtu || !Sink::valid_size(config->ring_size)) return -EINVAL;
  }
  int err = ns_a->create_device_locked(name_a, config_a, a);
  if (err != 0) return err;
  err = ns_b->create_device_locked(name_b, config_b, b);
  if (err != 0) {  // only ifindex exhaustion gets here; undo the first end
    ns_a->unlist_locked(*a);
    (*a)->state_.store(DeviceState::Released);
    (*a)->release();  // the namespace's reference
    (*a)->release();  // the caller's
    return err;
  }
  for (Device* end : {*a, *b}) end->kind_ = DeviceKind::Veth;
  (*b)->retain();
  (*a)->peer_.store(*b, std::memory_order_release);
  (*a)->retain();
  (*b)->peer_.store(*a, std::memory_order_release);
  return 0;
}

int Namespace::create_upper(Device* lower, DeviceKind kind, Namespace* ns, const std::string& name,
                            const DeviceConfig& config, Device** out) {
  if (kind != DeviceKind::Ipvlan && kind != DeviceKind::Macvlan) return -EINVAL;
  std::lock_guard<std::mutex> ns_lock(ns->mu_);
  // The lower's mutex orders this against its unregistration closing its list of uppers.
  std::lock_guard<std::mutex> lower_lock(lower->mu_);
  if (lower->uppers_closed_ || !lower->registered()) return -ENODEV;
  try {  // room for the new upper first: nothing can fail after the device exists
    lower->uppers_.reserve(lower->uppers_.size() + 1);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
  if (!lower->acquire_usage()) return -ENODEV;
  int err = ns->create_device_locked(name, config, out);
  if (err != 0) {
    lower->usage_.fetch_sub(1, std::memory_order_acq_rel);  // the lower is registered: not the last
    return err;
  }
  (*out)->kind_ = kind;
  lower->retain();  // its memory, for as long as the upper exists (the usage is for its lifecycle)
  (*out)->lower_ = lower;
  lower->uppers_.push_back(*out);
  return 0;
}

int Namespace::create_tunnel(const std::string& name, Namespace* backend, const DeviceConfig& config, Device** out) {
  if (backend == this) return -EINVAL;
  PairLock lock(mu_, id_, backend->mu_, backend->id_);
  if (backend->state_ != NamespaceState::Alive) return -ENOENT;
  try {  // room for the new tunnel first: nothing can fail after the device exists
    backend->tunnels_.reserve(backend->tunnels_.size() + 1);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
  int err = create_device_locked(name, config, out);
  if (err != 0) return err;
  (*out)->kind_ = DeviceKind::Tunnel;
  backend->retain();
  (*out)->backend_ = backend;
  backend->tunnels_.push_back(*out);
  return 0;
}

void Namespace::forget_tunnel(Device* tunnel) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase(tunnels_, tunnel);
}

Device* Namespace::find_device(int ifindex) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ifindex_.find(ifindex);
  if (it == by_ifindex_.end()) return nullptr;
  it->second->device->retain();
  return it->second->device;
}

Device* Namespace::find_device(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  it->second->retain();
  return it->second;
}

int Namespace::devices(std::vector<Device*>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!alloc::clear_and_reserve(out, by_ifindex_.size())) return -ENOMEM;
  for (auto& [ifindex, node] : by_ifindex_) {
    node->device->retain();
    out->push_back(node->device);
  }
  return 0;
}

Device* Namespace::acquire_device_usage(int ifindex, uint64_t* generation) {
  rcu::ReadLock read;
  cds_lfht_iter iter;
  cds_lfht_lookup(index_, hash_ifindex(ifindex), IndexNode::match, &ifindex, &iter);
  cds_lfht_node* found = cds_lfht_iter_get_node(&iter);
  if (found == nullptr) return nullptr;
  Device* dev = caa_container_of(found, IndexNode, node)->device;
  RT_RACE_POINT();  // a move may unlist the device, bump its generation and purge here
  // The device's memory lives until a grace period after its release, so it is safe here.
  *generation = dev->generation();
  // A move deletes the index node before it bumps the generation: if the node is still listed
  // now, the generation read belongs to this namespace, and a later move is caught by the
  // publisher's re-check.
  if (cds_lfht_is_node_deleted(found)) return nullptr;
  RT_RACE_POINT();
  if (!dev->registered() || !dev->acquire_usage()) return nullptr;
  return dev;
}

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

namespace {

// Runs namespaces' unregister work on one native thread (the kernel's per-netns work items).
class UnregisterWorker {
 public:
  static UnregisterWorker& instance() {
    static auto* const worker = new UnregisterWorker();  // immortal, like its thread
    return *worker;
  }

  void schedule(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(work));
    if (!started_) {
      started_ = true;
      std::thread([this] { run(); }).detach();
    }
    cv_.notify_one();
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
  bool started_ = false;
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
    ns->schedule_work_locked();
    return;
  }
}

void Namespace::schedule_work_locked() {
  if (work_scheduled_) return;
  work_scheduled_ = true;
  retain();  // until the work ran
  UnregisterWorker::instance().schedule([this] {
    run_unregister_work();
    release();
  });
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

void Namespace::unlist_locked(Device* dev) {
  auto it = by_ifindex_.find(dev->ifindex());
  IndexNode* node = it->second;
  by_ifindex_.erase(it);
  by_name_.erase(dev->name());
  reserved_ifindexes_.erase(dev->ifindex());
  {
    rcu::ReadLock read;
    cds_lfht_del(index_, &node->node);
  }
  rcu::call_after_grace_period(&node->rcu, IndexNode::free_after_grace_period);
}

int Namespace::list_locked(Device* dev, int ifindex, const std::string& name) {
  IndexNode* node = nullptr;
  if (int err = prepare_listing_locked(dev, ifindex, name, &node)) return err;
  index_add_locked(node);
  return 0;
}

void Namespace::index_add_locked(IndexNode* node) {
  rcu::ReadLock read;
  cds_lfht_add(index_, hash_ifindex(node->ifindex), &node->node);
}

int Namespace::prepare_listing_locked(Device* dev, int ifindex, const std::string& name, IndexNode** out) {
  auto* node = alloc::make<IndexNode>();
  if (node == nullptr) return -ENOMEM;
  node->ifindex = ifindex;
  node->device = dev;
  cds_lfht_node_init(&node->node);
  // The maps first, undone if one of them cannot allocate; the index last (it cannot fail).
  bool by_ifindex = false, by_name = false;
  try {
    if (alloc::inject_failure()) throw std::bad_alloc();
    by_ifindex = by_ifindex_.emplace(ifindex, node).second;
    by_name = by_name_.emplace(name, dev).second;
    reserved_ifindexes_.insert(ifindex);
  } catch (const std::bad_alloc&) {
    if (by_name) by_name_.erase(name);
    if (by_ifindex) by_ifindex_.erase(ifindex);
    delete node;
    return -ENOMEM;
  }
  *out = node;
  return 0;
}

int Namespace::move_device(Device* dev, Namespace* target, const std::string* new_name,
                           std::function<void()> purged) {
  if (dev->netns_local()) return -EINVAL;
  if (new_name != nullptr) {
    if (int err = validate_device_name(*new_name)) return err;
  }
  if (dev->backend() == target) return -EINVAL;  // a tunnel cannot live in its backend
  Namespace* left = nullptr;  // the source, whose reference the device held
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
    // Lock order: ascending namespace id.
    Namespace* first = source->id_ < target->id_ ? source : target;
    Namespace* second = first == source ? target : source;
    std::lock_guard<std::mutex> lock_first(first->mu_);
    std::lock_guard<std::mutex> lock_second(second->mu_);
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
      target->schedule_work_locked();
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
  return 0;
}

void Namespace::forget_device(Device* dev) {
  std::lock_guard<std::mutex> lock(mu_);
  draining_.erase(dev);
  reserved_ifindexes_.erase(dev->ifindex());
}

}  // namespace rt

// The namespace object (the kernel's struct net): its reference count and state, its devices'
// names and ifindexes (the control-plane maps, the ifindex allocator), plain device creation,
// and the lock-free index publishers resolve ifindexes through (acquire_device_usage: an
// RCU-protected cds_lfht, docs/design.md "Threads and RCU"). The rest of Namespace is split by
// what it does: the registry, create/open/list/destroy (namespace_registry.cpp); the other
// device kinds (device_kinds.cpp); unregistration (device_unregister.cpp) and its cross-namespace
// queue (unregister_queue.cpp); moves (device_move.cpp).
#include "namespace.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "race_point.hpp"
#include "rcu.hpp"

#include <urcu/rculfhash.h>

namespace rt {

namespace {

std::atomic<uint64_t> next_device_serial{1};
std::atomic<long> live_namespaces{0};  // constructions minus destructions

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

void Namespace::retain_registered_locked(std::vector<Device*>* out) {
  for (auto& [ifindex, node] : by_ifindex_) {
    node->device->retain();
    out->push_back(node->device);
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

void Namespace::forget_device(Device* dev) {
  std::lock_guard<std::mutex> lock(mu_);
  draining_.erase(dev);
  reserved_ifindexes_.erase(dev->ifindex());
}

}  // namespace rt

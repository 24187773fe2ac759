#include "namespace.hpp"

#include <cerrno>
#include <climits>
#include <utility>

#include "race_point.hpp"
#include "rcu.hpp"
#include "table_registry.hpp"

#include <urcu/rculfhash.h>

namespace rt {

namespace {

std::atomic<uint64_t> next_device_serial{1};

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

Namespace* Namespace::root() {
  // Immortal: call_rcu callbacks may still reach it while the process exits.
  static Namespace* const instance = new Namespace(kRootId, "root");
  return instance;
}

Namespace::Namespace(uint32_t id, std::string name) : id_(id), name_(std::move(name)) {
  index_ = cds_lfht_new_flavor(64, 64, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, &urcu_memb_flavor, nullptr);
  if (index_ == nullptr) throw std::bad_alloc();
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
  if (int err = validate_device_name(name)) return err;
  if (config.mtu < kMinMtu || config.mtu > kMaxMtu || !Sink::valid_size(config.ring_size)) return -EINVAL;
  std::lock_guard<std::mutex> lock(mu_);
  if (by_name_.count(name) != 0) return -EEXIST;
  int ifindex = allocate_ifindex_locked();
  if (ifindex < 0) return ifindex;
  auto* dev = new Device(this, name, ifindex, config, next_device_serial.fetch_add(1, std::memory_order_relaxed));
  auto* node = new IndexNode{};
  node->ifindex = ifindex;
  node->device = dev;
  cds_lfht_node_init(&node->node);
  {
    rcu::ReadLock read;
    cds_lfht_add(index_, hash_ifindex(ifindex), &node->node);
  }
  by_ifindex_.emplace(ifindex, node);
  by_name_.emplace(name, dev);
  reserved_ifindexes_.insert(ifindex);
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

std::vector<Device*> Namespace::devices() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Device*> result;
  result.reserve(by_ifindex_.size());
  for (auto& [ifindex, node] : by_ifindex_) {
    node->device->retain();
    result.push_back(node->device);
  }
  return result;
}

Device* Namespace::acquire_device_usage(int ifindex) {
  rcu::ReadLock read;
  cds_lfht_iter iter;
  cds_lfht_lookup(index_, hash_ifindex(ifindex), IndexNode::match, &ifindex, &iter);
  cds_lfht_node* found = cds_lfht_iter_get_node(&iter);
  if (found == nullptr) return nullptr;
  Device* dev = caa_container_of(found, IndexNode, node)->device;
  // The device's memory lives until a grace period after its release, so it is safe here.
  RT_RACE_POINT();
  if (!dev->registered() || !dev->acquire_usage()) return nullptr;
  return dev;
}

void Namespace::unregister_device(Device* dev, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dev->state() != DeviceState::Registered) {
      dev->when_unregistered(std::move(done));
      return;
    }
    dev->mark_unregistering();
    auto it = by_ifindex_.find(dev->ifindex());
    IndexNode* node = it->second;
    by_ifindex_.erase(it);
    by_name_.erase(dev->name());
    {
      rcu::ReadLock read;
      cds_lfht_del(index_, &node->node);
    }
    rcu::call_after_grace_period(&node->rcu, IndexNode::free_after_grace_period);
  }
  dev->when_unregistered(std::move(done));
  RT_RACE_POINT();
  TableRegistry::instance().notify_unregister(dev);
  dev->release_base_usage();
}

void Namespace::forget_device(Device* dev) {
  std::lock_guard<std::mutex> lock(mu_);
  reserved_ifindexes_.erase(dev->ifindex());
}

}  // namespace rt

// The process's namespaces (ip netns add / list / del): the registry of live namespaces by id and
// by name, with the root registered first (id 1), and Namespace::create, open, list, destroy.
// Destroying leaves the registry at once, then unregisters every device of the namespace (and
// the tunnels elsewhere whose backend it is) and completes when all of them are released
// (docs/design.md, "Reclamation and unregistration").
//
// Locks (docs/design.md, "Locks"): the registry mutex comes before any
// Namespace::mu_; destroy() takes them one after the other, never nested.
#include "namespace.hpp"

#include <atomic>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alloc.hpp"
#include "service_threads.hpp"

namespace rt {

namespace {

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

}  // namespace

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

bool Namespace::prepare_root() {
  static std::atomic<bool> prepared{false};
  if (prepared.load(std::memory_order_acquire)) return true;
  if (!try_start_thread([] {})) return false;
  root();
  prepared.store(true, std::memory_order_release);
  return true;
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
      retain_registered_locked(&devices);
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

}  // namespace rt

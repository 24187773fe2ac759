// Creation of the device kinds beyond plain (docs/design.md, "The model"): a veth pair (two
// ends, possibly in two namespaces), an upper (ipvlan/macvlan, stacked on a lower device) and a
// tunnel (its backend is another namespace), and the tunnel's removal from its backend's list.
// Each creates its device(s) through Namespace::create_device_locked (namespace.cpp) under the
// namespace locks, then ties the kind's links before anyone can see the device. Names of the
// kinds and the teardown side: device_kinds.hpp.
//
// Locks (docs/design.md, "Locks"): two namespaces through PairLock (ascending
// id); an upper takes its namespace's mu_, then the lower's Device::mu_.
#include "device_kinds.hpp"

#include <cerrno>
#include <initializer_list>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "namespace.hpp"
#include "namespace_pair_lock.hpp"

namespace rt {

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
  if (!is_upper_kind(kind)) return -EINVAL;
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

}  // namespace rt

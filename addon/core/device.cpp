#include "device.hpp"

#include <cerrno>
#include <new>
#include <utility>

#include "alloc.hpp"
#include "memory_usage.hpp"

#include "namespace.hpp"
#include "rcu.hpp"
#include "transmit_index.hpp"

namespace rt {

const char* device_state_name(DeviceState state) {
  switch (state) {
    case DeviceState::Registered: return "registered";
    case DeviceState::Unregistering: return "unregistering";
    case DeviceState::Unregistered: return "unregistered";
    case DeviceState::Released: return "released";
  }
  return "unknown";
}

int validate_device_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return -EINVAL;
  if (name == "." || name == "..") return -EINVAL;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || c == ' ' || (c >= '\t' && c <= '\r')) return -EINVAL;
  }
  return 0;
}

namespace {
std::atomic<long> live_devices{0};  // constructions minus destructions; slow paths only
}  // namespace

long Device::live_count() { return live_devices.load(std::memory_order_relaxed); }

int Device::create(Namespace* ns, const std::string& name, int ifindex, const DeviceConfig& config, uint64_t serial,
                   Device** out) {
  Sink::Ring ring{};
  if (int err = Sink::allocate_ring(config.ring_size, &ring)) return err;
  const uint32_t index = transmit_index::take();
  Device* dev = nullptr;
  try {
    if (index != transmit_index::kNone && !alloc::inject_failure()) dev = new Device(ns, name, ifindex, config, serial, ring, index);
  } catch (const std::bad_alloc&) {  // the name or the device itself
  }
  if (dev == nullptr) {
    transmit_index::give_back(index);
    Sink::free_ring(ring);
    return -ENOMEM;
  }
  *out = dev;
  return 0;
}

Device::Device(Namespace* ns, std::string name, int ifindex, const DeviceConfig& config, uint64_t serial,
               Sink::Ring ring, uint32_t transmit_index)
    : ns_(ns),
      serial_(serial),
      transmit_index_(transmit_index),
      netns_local_(config.netns_local),
      ifindex_(ifindex),
      mtu_(config.mtu),
      up_(config.up),
      name_(std::move(name)),
      sink_(ring) {
  ns->retain();
  live_devices.fetch_add(1, std::memory_order_relaxed);
  memory::allocated(memory::kDevices, sizeof(Device));
}

Device::~Device() {
  live_devices.fetch_sub(1, std::memory_order_relaxed);
  memory::freed(memory::kDevices, sizeof(Device));
  if (lower_ != nullptr) lower_->release();
  if (backend_ != nullptr) backend_->release();
  ns()->release();
  transmit_index::give_back(transmit_index_);
}

std::vector<Device*> Device::take_dependents() {
  std::vector<Device*> dependents;
  // The winner of the exchange takes the pair down; its reference on the peer comes with it.
  if (Device* peer = peer_.exchange(nullptr, std::memory_order_acq_rel)) dependents.push_back(peer);
  std::lock_guard<std::mutex> lock(mu_);
  uppers_closed_ = true;  // no new upper from now on
  for (Device* upper : uppers_) {
    upper->retain();
    dependents.push_back(upper);
  }
  return dependents;
}

std::string Device::name() const {
  std::lock_guard<std::mutex> lock(mu_);
  return name_;
}

int Device::set_mtu(uint32_t mtu) {
  if (mtu < kMinMtu || mtu > kMaxMtu) return -EINVAL;
  if (!registered()) return -ENODEV;
  mtu_.store(mtu, std::memory_order_relaxed);
  return 0;
}

int Device::set_up(bool up) {
  if (!registered()) return -ENODEV;
  up_.store(up, std::memory_order_relaxed);
  return 0;
}

bool Device::acquire_usage() {
  int64_t n = usage_.load(std::memory_order_relaxed);
  while (n > 0) {
    // seq_cst: ordered before the publisher's exchange and re-check, so that a purge that
    // reads usage after marking the device (referenced()) cannot miss it (docs/design.md,
    // "Reclamation and unregistration").
    if (usage_.compare_exchange_weak(n, n + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) return true;
  }
  return false;
}

void Device::release_usage(int64_t count) {
  // After a non-final decrement this thread must not touch the device again.
  if (usage_.fetch_sub(count, std::memory_order_acq_rel) == count) finish_unregistration();
}

bool Device::try_retain() {
  int64_t n = lifetime_.load(std::memory_order_relaxed);
  while (n > 0) {
    if (lifetime_.compare_exchange_weak(n, n + 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
  }
  return false;
}

Device* Device::retain_peer() {
  rcu::ReadLock read;
  Device* peer = peer_.load(std::memory_order_acquire);
  return peer != nullptr && peer->try_retain() ? peer : nullptr;
}

Device* Device::retain_lower() {
  if (lower_ == nullptr) return nullptr;
  lower_->retain();  // this upper holds a lifetime reference on it for as long as it exists
  return lower_;
}

void Device::release() {
  if (lifetime_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // Readers that found the device through an index may still use it until a grace period ends.
  rcu::delete_after_grace_period(&deferred_delete_, this);
}

void Device::mark_unregistering() {
  state_.store(DeviceState::Unregistering, std::memory_order_seq_cst);
  // Pairs with the publisher's seq_cst publish + re-check (Entry::device_still_current, in
  // ArrayTable::recheck_published and HashTable::recheck_published): either the publisher sees
  // Unregistering, or the purge walk that follows (purge_worker.hpp) sees its entry.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

void Device::mark_moving() {
  generation_.fetch_add(1, std::memory_order_seq_cst);
  // Same pairing as mark_unregistering(), with the publisher's generation re-check.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

void Device::set_identity(Namespace* ns, int ifindex, std::string name) {
  ns_.store(ns, std::memory_order_release);
  ifindex_.store(ifindex, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  name_ = std::move(name);
}

void Device::finish_unregistration() {
  state_.store(DeviceState::Unregistered, std::memory_order_seq_cst);
  ns()->forget_device(this);
  if (backend_ != nullptr) backend_->forget_tunnel(this);
  if (lower_ != nullptr) {
    {
      std::lock_guard<std::mutex> lock(lower_->mu_);
      std::erase(lower_->uppers_, this);
    }
    lower_->release_usage();  // the lower may finish now; this device no longer touches it
  }
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.store(DeviceState::Released, std::memory_order_seq_cst);
    waiters.swap(waiters_);
  }
  // No frame can reach the ring any more: consumers waiting for frames learn of the end.
  sink_.close_waiters();
  for (auto& done : waiters) done();
  release();  // the namespace's lifetime reference
}

void Device::when_unregistered(std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_.load(std::memory_order_seq_cst) != DeviceState::Released) {
      waiters_.push_back(std::move(done));
      return;
    }
  }
  done();
}

}  // namespace rt

// A namespace (the kernel's struct net): an isolated set of devices with its own ifindex space.
// Only the root namespace exists for now; the class is written for many.
//
// Locking: mu_ guards the control-plane maps and the ifindex allocator. Publishers resolve
// ifindexes without it, through an RCU-protected cds_lfht index of registered devices.
// Lock order: Namespace::mu_ before Device::mu_; never hold mu_ while running the notifier.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "device.hpp"

struct cds_lfht;

namespace rt {

class Namespace {
 public:
  static constexpr uint32_t kRootId = 1;

  // The root namespace; it always exists and is never freed.
  static Namespace* root();

  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }

  // Registers a new device and returns it in *out with a lifetime reference owned by the
  // caller. Errors: -EINVAL bad name, MTU or ring size, -EEXIST name taken, -EBUSY no free
  // ifindex.
  int create_device(const std::string& name, const DeviceConfig& config, Device** out);

  // Registered devices only; each result carries a lifetime reference owned by the caller.
  Device* find_device(int ifindex);
  Device* find_device(const std::string& name);
  std::vector<Device*> devices();  // ascending ifindex

  // For publishers: a usage reference on the registered device with `ifindex`, or nullptr.
  // Lock-free (RCU lookup).
  Device* acquire_device_usage(int ifindex);

  // Starts the unregistration of `dev` (a no-op when it already started): unlists it, runs the
  // notifier over every table, drops the base usage reference. `done` runs once the usage is
  // gone (after grace periods), possibly on another thread, possibly before this returns.
  void unregister_device(Device* dev, std::function<void()> done);

  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

 private:
  friend class Device;
  struct IndexNode;

  Namespace(uint32_t id, std::string name);
  int allocate_ifindex_locked();
  void forget_device(Device* dev);  // the unregistration finished: free its ifindex

  const uint32_t id_;
  const std::string name_;
  cds_lfht* index_;  // ifindex -> IndexNode, registered devices

  std::mutex mu_;
  std::map<int, IndexNode*> by_ifindex_;  // registered devices
  std::unordered_map<std::string, Device*> by_name_;
  std::set<int> reserved_ifindexes_;  // registered and not yet released
  int next_ifindex_ = 1;
};

}  // namespace rt

// A device: a named destination in a namespace (the kernel's struct net_device).
//
// Two reference counts, as in the kernel:
//  - usage (dev_hold/dev_put): held by table entries (in-flight transmits hold none: their
//    read-side section covers them). It starts at 1, the base reference owned by the
//    registration. Unregistration drops the base after the purge of every table; the thread whose release brings usage to 0 finishes the
//    unregistration. Nothing can take a usage reference once it reached 0.
//  - lifetime (the memory): held by the namespace while the device is not released, and by
//    every handle (e.g. a JS object). JS handles never hold usage, so a device with live handles
//    still unregisters. Memory is freed a grace period after lifetime reaches 0.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "device_kinds.hpp"  // DeviceKind
#include "rcu.hpp"
#include "sink.hpp"

namespace rt {

class Namespace;

enum class DeviceState : uint8_t { Registered, Unregistering, Unregistered, Released };

const char* device_state_name(DeviceState state);

inline constexpr uint32_t kMinMtu = 68;
inline constexpr uint32_t kMaxMtu = 65535;
inline constexpr uint32_t kDefaultMtu = 1500;
inline constexpr size_t kMaxNameLength = 15;  // IFNAMSIZ - 1

// What a device is created with.
struct DeviceConfig {
  uint32_t mtu = kDefaultMtu;
  bool up = true;
  uint32_t ring_size = Sink::kDefaultSize;  // power of two, see Sink::valid_size
  bool netns_local = false;                 // cannot move to another namespace
};

// 0 when `name` is a valid device name, -EINVAL otherwise (empty, longer than 15 bytes, "." or
// "..", or containing '/', ':', whitespace or NUL).
int validate_device_name(const std::string& name);

class Device {
 public:
  // A new device (lifetime 1, usage 1, not yet listed anywhere) in *out: 0, -EINVAL (ring
  // size), or -ENOMEM (its ring, its name or itself could not be allocated; nothing changed).
  static int create(Namespace* ns, const std::string& name, int ifindex, const DeviceConfig& config, uint64_t serial,
                    Device** out);
  ~Device();

  // Devices allocated and not yet freed, in any state (for leak checks: soak, tests).
  static long live_count();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Process-unique, never reused: lets a thread recognise two handles of one device.
  uint64_t serial() const { return serial_; }
  // Dense, reused once the device is freed (transmit_index.hpp): indexes bulk queues.
  uint32_t transmit_index() const { return transmit_index_; }
  int ifindex() const { return ifindex_.load(std::memory_order_relaxed); }
  // The namespace the device is registered in; changes when it moves.
  Namespace* ns() const { return ns_.load(std::memory_order_acquire); }
  bool netns_local() const { return netns_local_; }
  DeviceKind kind() const { return kind_; }
  // The other end of a veth pair while both are registered (a lifetime reference is held).
  Device* peer() const { return peer_.load(std::memory_order_acquire); }
  Device* lower() const { return lower_; }         // uppers: the device they are stacked on
  Namespace* backend() const { return backend_; }  // tunnels: the backend namespace
  // Bumped when the device moves: an entry built for an older generation is stale (it was
  // resolved in the previous namespace) and its publisher takes it back.
  uint64_t generation() const { return generation_.load(std::memory_order_seq_cst); }
  std::string name() const;
  uint32_t mtu() const { return mtu_.load(std::memory_order_relaxed); }
  bool is_up() const { return up_.load(std::memory_order_relaxed); }
  DeviceState state() const { return state_.load(std::memory_order_seq_cst); }
  bool registered() const { return state() == DeviceState::Registered; }

  // The transmit sink (descriptor ring). Usable in every state: frames already queued can
  // still be received from an unregistered device. Its waiters are notified when the device is
  // released (Sink::close_waiters); each must hold a lifetime reference while it is listed.
  Sink& sink() { return sink_; }
  const Sink& sink() const { return sink_; }

  // Usage count including the base reference (1 for a registered, unused device).
  int64_t usage_count() const { return usage_.load(std::memory_order_relaxed); }
  // False when only the registration's base reference is held: no table holds an entry for the
  // device (nor an upper, nor a retired entry awaiting its grace period). Called after
  // mark_unregistering() / mark_moving(), it decides whether a purge must walk the tables: a
  // set that took its usage reference later sees the mark in its re-check and takes its entry
  // back itself (the verify/slot-protocol.pml model checks this).
  bool referenced() const { return usage_.load(std::memory_order_seq_cst) > 1; }

  // -ENODEV once unregistration started, -EINVAL for an MTU outside [kMinMtu, kMaxMtu].
  int set_mtu(uint32_t mtu);
  // -ENODEV once unregistration started.
  int set_up(bool up);

  // Takes a usage reference unless usage already reached 0. Callers must know the memory is
  // alive (a lifetime reference, or a read-side section that found the device in an index).
  bool acquire_usage();
  // Drops a usage reference; the last one finishes the unregistration.
  void release_usage(int64_t count = 1);

  void retain() { lifetime_.fetch_add(1, std::memory_order_relaxed); }
  // A lifetime reference unless the device is already being freed; for pointers read inside a
  // read-side section (device memory is freed a grace period after the last reference).
  bool try_retain();
  // The veth peer / lower with a lifetime reference for the caller, or nullptr.
  Device* retain_peer();
  Device* retain_lower();
  // Drops a lifetime reference; the last one frees the device after a grace period.
  void release();

  // Runs `done` once the unregistration finished (now, if it already has).
  void when_unregistered(std::function<void()> done);

 private:
  friend class Namespace;

  // Called by Namespace::unregister_device with the namespace lock held.
  void mark_unregistering();
  // Called by Namespace::move_device with both namespace locks held, before the purge is queued.
  void mark_moving();
  void set_identity(Namespace* ns, int ifindex, std::string name);
  // Drops the base usage reference (after the purge walk, purge_worker.hpp).
  void release_base_usage() { release_usage(); }
  void finish_unregistration();
  // The devices whose unregistration this one's causes (its veth peer, its uppers). Called once,
  // right after mark_unregistering(); each result carries a lifetime reference.
  std::vector<Device*> take_dependents();

  // Read by the datapath on every frame: kept away from the sink's written cache lines.
  std::atomic<Namespace*> ns_;  // holds a reference on it
  const uint64_t serial_;
  const uint32_t transmit_index_;
  const bool netns_local_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> ifindex_;
  std::atomic<uint32_t> mtu_;
  std::atomic<bool> up_;
  std::atomic<DeviceState> state_{DeviceState::Registered};

  // Written by every set and delete (entries hold usage references) and by handles: on a cache
  // line of their own, or each write would evict the fields above from the readers' caches.
  alignas(64) std::atomic<int64_t> usage_{1};
  std::atomic<int64_t> lifetime_{1};

  mutable std::mutex mu_;  // guards name_, waiters_, uppers_ and the Released transition
  std::string name_;
  std::vector<std::function<void()>> waiters_;

  // Kinds (set while the namespaces are locked at creation, before the device is visible).
  DeviceKind kind_ = DeviceKind::Plain;
  std::atomic<Device*> peer_{nullptr};  // exchanged to nullptr by whichever end goes first
  Device* lower_ = nullptr;             // an upper holds a usage and a lifetime reference on it
  std::vector<Device*> uppers_;         // guarded by mu_
  bool uppers_closed_ = false;          // guarded by mu_: the device started unregistering
  Namespace* backend_ = nullptr;        // a tunnel holds a reference on it
  Namespace* queued_on_ = nullptr;      // guarded by that namespace's mu_

  Sink sink_;
  rcu::DeferredDelete<Device> deferred_delete_{};

  Device(Namespace* ns, std::string name, int ifindex, const DeviceConfig& config, uint64_t serial, Sink::Ring ring,
         uint32_t transmit_index);
};

}  // namespace rt

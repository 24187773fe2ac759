// LockedTable over a lock policy (lock_policy.hpp): the same code for std::shared_mutex and
// std::mutex, so that a comparison between them isolates the lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "lock_policy.hpp"
#include "locked_table.hpp"
#include "sink.hpp"

namespace peers {

// One device of a table: the same transmit ring (rt::Sink, from addon/core) as our devices,
// so that both tables do the same work per frame and the comparison isolates the
// synchronisation. Readers holding the lock shared transmit concurrently: the sink serialises
// its producers itself, as it does for ours.
struct alignas(64) DeviceSlot {
  rt::Sink* sink = nullptr;  // created with the device, freed by destroy()
  bool dead = false;         // guarded by the table's lock
};

// Frames of one redirect() call waiting for their device, 16 to a bulk as in ours.
struct PendingBulk {
  static constexpr uint32_t kFrames = 16;
  uint32_t device = 0;
  uint32_t count = 0;
  rt::Frame frames[kFrames];
};

template <class Policy>
class BasicLockedTable final : public LockedTable {
 public:
  using ReadGuard = typename Policy::ReadGuard;
  using WriteGuard = typename Policy::WriteGuard;

  // nullptr when an allocation fails.
  static BasicLockedTable* create(uint32_t max_entries) {
    auto* slots = static_cast<uint32_t*>(std::calloc(max_entries, sizeof(uint32_t)));
    auto* devices = new (std::nothrow) DeviceSlot[kMaxDevices];
    BasicLockedTable* table = nullptr;
    if (slots != nullptr && devices != nullptr) {
      table = new (std::nothrow) BasicLockedTable(max_entries, slots, devices);
    }
    if (table == nullptr) {
      std::free(slots);
      delete[] devices;
    }
    return table;
  }

  ~BasicLockedTable() override { release_storage(); }
  BasicLockedTable(const BasicLockedTable&) = delete;
  BasicLockedTable& operator=(const BasicLockedTable&) = delete;

  uint32_t max_entries() const override { return max_entries_; }

  Status destroy() override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    closed_ = true;
    closed_flag_.store(true, std::memory_order_release);
    release_storage();
    return Status::kOk;
  }

  Status create_device(uint32_t* device) override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (next_device_ > kMaxDevices) return Status::kDevicesExhausted;
    rt::Sink::Ring ring{};
    if (rt::Sink::allocate_ring(kRingSize, &ring) != 0) return Status::kDevicesExhausted;
    devices_[next_device_ - 1].sink = new (std::nothrow) rt::Sink(ring);
    if (devices_[next_device_ - 1].sink == nullptr) {
      rt::Sink::free_ring(ring);
      return Status::kDevicesExhausted;
    }
    *device = next_device_++;
    ++live_devices_;
    return Status::kOk;
  }

  Status unregister_device(uint32_t device) override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (!is_live(device)) return Status::kOk;
    for (uint32_t key = 0; key < max_entries_; ++key) {
      if (slots_[key] == device) slots_[key] = 0;
    }
    devices_[device - 1].dead = true;
    --live_devices_;
    return Status::kOk;
  }

  Status set(uint32_t key, uint32_t device, bool* stored) override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (key >= max_entries_) return Status::kKeyOutOfRange;
    *stored = is_live(device);
    if (*stored) slots_[key] = device;
    return Status::kOk;
  }

  Status remove(uint32_t key, bool* removed) override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (key >= max_entries_) return Status::kKeyOutOfRange;
    *removed = slots_[key] != 0;
    slots_[key] = 0;
    return Status::kOk;
  }

  Status compare_and_remove(uint32_t key, uint32_t expected, bool* removed) override {
    WriteGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (key >= max_entries_) return Status::kKeyOutOfRange;
    *removed = expected != 0 && slots_[key] == expected;
    if (*removed) slots_[key] = 0;
    return Status::kOk;
  }

  Status get(uint32_t key, uint32_t* device) const override {
    ReadGuard lock(mu_);
    if (closed_) return Status::kClosed;
    if (key >= max_entries_) return Status::kKeyOutOfRange;
    *device = slots_[key];
    return Status::kOk;
  }

  Status redirect(const FrameBatch& batch, uint64_t* accepted) override {
    ReadGuard lock(mu_);
    if (closed_) return Status::kClosed;
    // Per-call bulk queues, one per destination (at most kQueues at once), as ours keeps per
    // thread: a full bulk is transmitted at once, the rest before returning.
    PendingBulk queues[kQueues];
    uint32_t used = 0;
    uint64_t sent = 0;
    for (size_t i = 0; i < batch.count; ++i) {
      const uint32_t key = batch.keys[i];
      const uint32_t device = key < max_entries_ ? slots_[key] : 0;
      if (device == 0) continue;
      uint32_t q = 0;
      while (q < used && queues[q].device != device) ++q;
      if (q == used) {
        if (used == kQueues) {
          q = static_cast<uint32_t>(i % kQueues);  // evict: transmit what it holds
          transmit(queues[q]);
        } else {
          ++used;
        }
        queues[q].device = device;
      }
      PendingBulk& bulk = queues[q];
      bulk.frames[bulk.count++] = rt::Frame{batch.ids[i], batch.lengths[i]};
      ++sent;
      if (bulk.count == PendingBulk::kFrames) transmit(bulk);
    }
    for (uint32_t q = 0; q < used; ++q) transmit(queues[q]);
    *accepted = sent;
    return Status::kOk;
  }

  // Without the table's lock (the consumer would otherwise compete with every writer for a
  // plain mutex): the sink serialises its consumers itself. The caller passes only devices
  // create_device() returned, and never races destroy().
  Status receive(uint32_t device, uint32_t* ids, uint32_t max, uint32_t* got) override {
    if (closed_flag_.load(std::memory_order_acquire)) return Status::kClosed;
    *got = device != 0 && device <= kMaxDevices && devices_[device - 1].sink != nullptr
               ? devices_[device - 1].sink->receive(ids, nullptr, max)
               : 0;
    return Status::kOk;
  }

  Status stats(TableStats* out) const override {
    ReadGuard lock(mu_);
    if (closed_) return Status::kClosed;
    TableStats stats;
    for (uint32_t device = 1; device < next_device_; ++device) {
      const rt::SinkStats sink = devices_[device - 1].sink->stats();
      stats.frames += sink.tx_frames;
      stats.bytes += sink.tx_bytes;
      stats.drops += sink.drops + sink.errors;
    }
    stats.frames_to_dead_devices = frames_to_dead_devices_.load(std::memory_order_relaxed);
    stats.live_devices = live_devices_;
    *out = stats;
    return Status::kOk;
  }

 private:
  BasicLockedTable(uint32_t max_entries, uint32_t* slots, DeviceSlot* devices)
      : max_entries_(max_entries), slots_(slots), devices_(devices) {}

  // With the lock held.
  bool is_live(uint32_t device) const {
    return device != 0 && device < next_device_ && !devices_[device - 1].dead;
  }

  static constexpr uint32_t kQueues = 16;
  static constexpr uint32_t kRingSize = 1u << 14;  // as the benchmark's devices of ours

  // Transmits a bulk (no-op when empty) with the lock held and empties it. Frames to a dead
  // device (impossible under the lock) are counted as violations instead.
  void transmit(PendingBulk& bulk) {
    if (bulk.count == 0) return;
    DeviceSlot& slot = devices_[bulk.device - 1];
    if (slot.dead) {
      frames_to_dead_devices_.fetch_add(bulk.count, std::memory_order_relaxed);
    } else {
      uint32_t dropped = 0;
      uint32_t failed = 0;
      slot.sink->transmit(bulk.frames, bulk.count, &dropped, &failed);
    }
    bulk.count = 0;
  }

  void release_storage() {
    if (devices_ != nullptr) {
      for (uint32_t device = 1; device < next_device_; ++device) delete devices_[device - 1].sink;
    }
    std::free(slots_);
    slots_ = nullptr;
    delete[] devices_;
    devices_ = nullptr;
  }

  // The lock starts a cache line; the fields read right after taking it share that line.
  alignas(64) mutable typename Policy::Mutex mu_;
  const uint32_t max_entries_;
  bool closed_ = false;
  std::atomic<bool> closed_flag_{false};  // closed_, for receive(), which takes no lock
  uint32_t next_device_ = 1;
  uint32_t live_devices_ = 0;
  uint32_t* slots_;
  DeviceSlot* devices_;
  std::atomic<uint64_t> frames_to_dead_devices_{0};
};

}  // namespace peers

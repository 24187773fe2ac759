// A redirect table guarded by one lock: the peer the benchmark runs against the lock-free table.
//
// `max_entries` u32 slots (0 = empty, else a device id) and a registry of up to kMaxDevices
// devices (ids 1, 2, ...), all guarded by a single lock. Readers (get, redirect, stats) hold it
// shared, or exclusively when the lock is a plain mutex; writers always hold it exclusively.
// The implementation is BasicLockedTable<Policy> (basic_locked_table.hpp); callers see this
// interface so one id map (locked_table_ids.hpp) holds both kinds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace peers {

inline constexpr uint32_t kMaxDevices = 65536;

enum class LockKind { kSharedMutex, kMutex };

enum class Status {
  kOk,
  kClosed,            // destroy() ran: the table holds no slots nor devices any more
  kKeyOutOfRange,     // key >= max_entries
  kDevicesExhausted,  // kMaxDevices devices were already created
};

struct TableStats {
  uint64_t frames = 0;  // transmitted into the devices' rings, over every device ever created
  uint64_t bytes = 0;
  uint64_t drops = 0;   // refused by a full ring
  uint64_t frames_to_dead_devices = 0;  // violations: must stay 0
  uint32_t live_devices = 0;
};

// The arrays of one redirect() call, all `count` long.
struct FrameBatch {
  const uint32_t* keys;
  const uint32_t* ids;  // frame ids: carried, not inspected
  const uint32_t* lengths;
  size_t count;
};

class LockedTable {
 public:
  virtual ~LockedTable() = default;

  virtual uint32_t max_entries() const = 0;

  // Frees the slots and the devices; every later call returns kClosed (this one too, if the
  // table was already destroyed). The object itself stays valid.
  virtual Status destroy() = 0;

  // A new live device id (1, 2, ...).
  virtual Status create_device(uint32_t* device) = 0;
  // Empties every slot holding `device` and marks it dead; once it returns no reader can see
  // or transmit to it. A dead or unknown device is left as it is.
  virtual Status unregister_device(uint32_t device) = 0;

  // *stored is false (and nothing changes) when `device` is dead or unknown.
  virtual Status set(uint32_t key, uint32_t device, bool* stored) = 0;
  // *removed: the slot held a device.
  virtual Status remove(uint32_t key, bool* removed) = 0;
  // Empties the slot only if it holds `expected` (a device id, never 0).
  virtual Status compare_and_remove(uint32_t key, uint32_t expected, bool* removed) = 0;

  // *device: the slot's content, 0 for an empty slot.
  virtual Status get(uint32_t key, uint32_t* device) const = 0;
  // Looks up every key under one read-side acquisition and transmits each hit (keys out of
  // range miss). *accepted: frames that found a device (transmitted or dropped by its ring).
  virtual Status redirect(const FrameBatch& batch, uint64_t* accepted) = 0;
  // Takes up to `max` frame ids out of `device`'s ring (also after it was unregistered); takes
  // no table lock: `device` must come from create_device() and the call must not race destroy().
  virtual Status receive(uint32_t device, uint32_t* ids, uint32_t max, uint32_t* got) = 0;
  virtual Status stats(TableStats* out) const = 0;
};

// nullptr when memory for the slots or the devices cannot be allocated. `max_entries` >= 1.
LockedTable* make_locked_table(LockKind kind, uint32_t max_entries);

}  // namespace peers

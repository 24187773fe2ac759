// Per-thread bulk queues and flush bitmap (the kernel's xdp_bulk_queue and flush list).
//
// Frames are queued per (table, device) destination, up to 16, and a destination's queue is
// transmitted in one call to the device's sink when full or at flush. A 64-bit bitmap records
// which of the thread's 64 queues hold frames, so a flush costs what is pending, never
// maxEntries. A device's queue is found by its transmit index (transmit_index.hpp) in a
// per-thread byte map, no hashing: the map names the one queue the device has while it holds
// frames. A frame for the same device from another table (or another broadcast ingress)
// transmits that queue first. When all 64 queues are taken, one is transmitted to make room.
// Devices beyond the map (more than 2^16 alive at once) hash to a queue and probe a few.
//
// A frame queued by a batch call carries its index in the batch (its origin): when the sink
// refuses it at transmit time, the batch's verdict for it becomes -ENOBUFS (ring full or beyond
// a partial-accept fault) or -EIO (error fault), and the batch's count of delivered frames drops
// by one. Frames of the per-frame API have no origin: their drops are counted only.
//
// Rule (docs/design.md, rule 4): enqueue and flush happen inside one read-side section. Batch calls hold
// a ReadLock around both; the per-frame API opens the thread's section on its first frame and
// closes it in flush_and_close_section() (flush(), the end of the JS task, teardown).
#pragma once

#include <cstdint>
#include <vector>

#include "device.hpp"
#include "frame.hpp"
#include "rcu.hpp"

namespace rt {

class Table;

// One transmitted bulk, as the kernel's xdp_devmap_xmit tracepoint reports it.
struct TraceEvent {
  uint32_t table_id;
  int32_t from_ifindex;  // the excluded ingress of a broadcast, else 0
  int32_t to_ifindex;
  uint32_t sent;
  uint32_t drops;
  uint32_t errors;
};

class BulkQueues {
 public:
  static constexpr uint32_t kBulkSize = 16;
  static constexpr unsigned kQueueCount = 64;
  static constexpr unsigned kProbes = 4;
#ifndef RT_MAPPED_DEVICES
#define RT_MAPPED_DEVICES (1u << 16)  // the sanitizer stress build maps fewer, to run both paths
#endif
  static constexpr uint32_t kMappedDevices = RT_MAPPED_DEVICES;
  static constexpr uint32_t kNoOrigin = UINT32_MAX;

  BulkQueues();

  // This thread's queues, created on first use; nullptr when they cannot be allocated.
  static BulkQueues* current() {
    if (__builtin_expect(tls_queues_ != nullptr, 1)) return tls_queues_;
    return create_current();
  }
  // This thread's queues if they exist (never allocates).
  static BulkQueues* existing() { return tls_queues_; }
  // Flushes and closes this thread's per-frame section, if any (environment teardown).
  static void release_current_thread();

  // Inside a read-side section. Inline: it runs once per frame.
  // `origin`: the frame's index in the current batch (kNoOrigin for the per-frame API).
  void enqueue(Table* table, Device* device, Frame frame, int32_t from_ifindex = 0, uint32_t origin = kNoOrigin) {
    const uint32_t mapped = device->transmit_index();
    if (__builtin_expect(mapped < kMappedDevices, 1)) {
      unsigned index = queue_of_[mapped];
      if (index == kNoQueue) {
        index = claim_mapped(mapped, table, device, from_ifindex);
      } else if (queues_[index].table != table || queues_[index].from_ifindex != from_ifindex) {
        transmit(index);
        claim(index, table, device, from_ifindex);
        queue_of_[mapped] = static_cast<uint8_t>(index);
      }
      append(index, frame, origin);
      return;
    }
    enqueue_hashed(table, device, frame, from_ifindex, origin);
  }
  void flush();

  // A batch call brackets its frames with begin_batch / end_batch (inside one read-side section,
  // flushing before end_batch): frames with an origin that a sink refuses get their verdict
  // rewritten in `verdicts` (may be null); end_batch returns how many such frames were refused.
  // Every frame of a batch goes from `table` (and ingress `from_ifindex`): begin_batch transmits
  // the pending queues of other owners (frames of the per-frame API), so that enqueue_in_batch
  // finds a device's queue without checking its owner.
  void begin_batch(int32_t* verdicts, Table* table, int32_t from_ifindex) {
    batch_verdicts_ = verdicts;
    batch_refused_ = 0;
    batch_table_ = table;
    batch_from_ = from_ifindex;
    if (pending_ != 0) transmit_other_owners();
  }
  // enqueue() for a frame of the current batch, with its index in the batch. Inline: per frame.
  void enqueue_in_batch(Device* device, Frame frame, uint32_t origin) {
    const uint32_t mapped = device->transmit_index();
    if (__builtin_expect(mapped < kMappedDevices, 1)) {
      unsigned index = queue_of_[mapped];
      if (index == kNoQueue) index = claim_mapped(mapped, batch_table_, device, batch_from_);
      append(index, frame, origin);
      return;
    }
    enqueue_hashed(batch_table_, device, frame, batch_from_, origin);
  }
  size_t end_batch() {
    batch_verdicts_ = nullptr;
    return batch_refused_;
  }

  // The per-frame API's section. open_section() returns true when it opened it.
  bool open_section() {
    if (section_open_) return false;
    rcu::read_lock();
    section_open_ = true;
    return true;
  }
  void flush_and_close_section();

  void set_tracing(bool on) { tracing_ = on; }
  bool tracing() const { return tracing_; }
  std::vector<TraceEvent> take_events();
  // Trace events lost because recording them ran out of memory (reset by take_events).
  uint64_t lost_events() const { return lost_events_; }

 private:
  struct Queue {
    Table* table;
    Device* device;
    int32_t from_ifindex;
    uint32_t count;
    Frame frames[kBulkSize];
    uint32_t origins[kBulkSize];
  };

  static constexpr uint8_t kNoQueue = 0xff;

  struct Owner;  // frees the thread's queues at its exit
  static BulkQueues* create_current();

  // Hands queue `index` to its device's sink, settles refused frames (verdicts, counters) and
  // frees the queue.
  void transmit(unsigned index);

  // The device-map path's fallback: linear probing over a few queues from a hashed home, so
  // colliding destinations share the bucket; when all probes are taken, home is transmitted.
  void enqueue_hashed(Table* table, Device* device, Frame frame, int32_t from_ifindex, uint32_t origin) {
    unsigned home = queue_index(table, device, from_ifindex);
    unsigned index = home;
    for (unsigned probe = 0; probe < kProbes; ++probe) {
      unsigned candidate = (home + probe) % kQueueCount;
      const Queue& c = queues_[candidate];
      if (c.count == 0 || (c.device == device && c.table == table && c.from_ifindex == from_ifindex)) {
        index = candidate;
        break;
      }
    }
    Queue& q = queues_[index];
    if (q.count != 0 && (q.device != device || q.table != table || q.from_ifindex != from_ifindex)) transmit(index);
    if (q.count == 0) claim(index, table, device, from_ifindex);
    append(index, frame, origin);
  }

  // A free queue for the device of transmit index `mapped` (when all are taken, one is
  // transmitted to make room).
  unsigned claim_mapped(uint32_t mapped, Table* table, Device* device, int32_t from_ifindex) {
    if (~pending_ == 0) transmit(next_victim_++ % kQueueCount);
    const auto index = static_cast<unsigned>(__builtin_ctzll(~pending_));
    claim(index, table, device, from_ifindex);
    queue_of_[mapped] = static_cast<uint8_t>(index);
    return index;
  }

  // Transmits every pending queue not owned by (batch_table_, batch_from_).
  void transmit_other_owners();

  void claim(unsigned index, Table* table, Device* device, int32_t from_ifindex) {
    Queue& q = queues_[index];
    q.table = table;
    q.device = device;
    q.from_ifindex = from_ifindex;
    pending_ |= uint64_t{1} << index;
  }

  void append(unsigned index, Frame frame, uint32_t origin) {
    Queue& q = queues_[index];
    q.origins[q.count] = origin;
    q.frames[q.count++] = frame;
    if (q.count == kBulkSize) transmit(index);
  }

  static unsigned queue_index(const Table* table, const Device* device, int32_t from) {
    uint64_t h = reinterpret_cast<uintptr_t>(device) ^ (reinterpret_cast<uintptr_t>(table) << 7) ^
                 static_cast<uint32_t>(from);
    h *= 0x9E3779B97F4A7C15ull;
    return static_cast<unsigned>(h >> 58);  // top 6 bits: 0..63
  }

  // This thread's queues (initial-exec TLS: one %fs-relative load).
  static constinit thread_local BulkQueues* tls_queues_ __attribute__((tls_model("initial-exec")));

  uint64_t pending_ = 0;
  bool section_open_ = false;
  bool tracing_ = false;
  std::vector<TraceEvent> events_;
  uint64_t lost_events_ = 0;
  int32_t* batch_verdicts_ = nullptr;
  size_t batch_refused_ = 0;
  Table* batch_table_ = nullptr;
  int32_t batch_from_ = 0;
  unsigned next_victim_ = 0;
  Queue queues_[kQueueCount] = {};
  // The queue holding frames for the device of each transmit index, or kNoQueue.
  uint8_t queue_of_[kMappedDevices];
};

}  // namespace rt

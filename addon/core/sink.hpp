// A device's transmit sink: descriptor rings that transmits fill and consumers drain.
//
// Producers (transmitting threads) write into lanes, each a bounded ring: the first kOwnedLanes
// producer threads alive at once each own a lane number (sink.cpp) and write their lane with
// no lock (one producer, one consumer); every other producer, and one whose lane could not be
// allocated, uses the shared lane under its spinlock (held for one bulk, at most 16 frames).
// So producers share no written cache line. Where the kernel lacks the asymmetric fence the
// wake-up protocol needs (membarrier, below), owned lanes take their lock too. The ring made with
// the device becomes the first lane a producer needs; other lanes are made on a thread's first
// transmit. Consumers are serialised by a mutex and take from the lanes in turn. Order: FIFO per
// lane, so per producer thread; frames of different producers may be received in either order.
// Between a lane's producer and the consumer the ring is single-producer / single-consumer: the
// producer publishes `tail` with release, the consumer `head`. Counters are written by the
// lane's one producer and read without synchronisation (relaxed loads).
//
// Consumers may wait for frames instead of polling (wait(), docs/design.md, "Consumer
// wake-ups"): a waiting consumer arms a flag, then issues a process-wide fence (membarrier) and
// takes and drops every lane's lock before it re-checks the rings; a producer reads the flag
// after publishing, and the one that finds it set (exchange) notifies every listed waiter, once
// per empty -> non-empty transition that someone waits for. Unarmed, a bulk pays one relaxed
// load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "frame.hpp"
#include "sink_waiters.hpp"

namespace rt {

struct SinkStats {
  uint64_t tx_frames;  // accepted into a ring
  uint64_t tx_bytes;
  uint64_t drops;      // ring full, or refused by a partial-accept fault
  uint64_t errors;     // whole bulks failed by an error fault
  uint64_t bulks;      // transmit calls
  uint64_t wakeups;    // transmits that found consumers waiting and woke them (see Sink::wait)
};

// Fault injection, like a driver's ndo_xdp_xmit failing: `error` fails every frame of each
// bulk; otherwise at most `accept_at_most` frames of each bulk are accepted.
struct TransmitFault {
  bool error = false;
  uint32_t accept_at_most = UINT32_MAX;
};

class Sink {
 public:
  static constexpr uint32_t kDefaultSize = 4096;
  static constexpr uint32_t kMaxSize = 1u << 24;
  static constexpr unsigned kLanes = 8;
  static constexpr unsigned kOwnedLanes = kLanes - 1;  // lanes 0..6: one producer thread each
  static constexpr unsigned kSharedLane = kLanes - 1;

  struct Lane;

  // A sink's first ring, allocated before the sink (and the device) that will own it, so that
  // creating a device fails with -ENOMEM instead of throwing; the first producer's lane takes it.
  struct Ring {
    Lane* lane;
    uint32_t size;
  };
  // 0 and the ring in *out, -EINVAL for a size valid_size() refuses, -ENOMEM.
  static int allocate_ring(uint32_t size, Ring* out);
  // Frees a ring no sink took over.
  static void free_ring(Ring ring);

  // Takes over `ring` (from allocate_ring) for the first lane a producer needs.
  explicit Sink(Ring ring) noexcept;
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Transmits one bulk from any thread, into the calling thread's lane. Returns how many frames
  // entered the ring (a prefix of the bulk); the rest are counted as drops (or errors under an
  // error fault) and reported in *dropped / *failed.
  uint32_t transmit(const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed);

  // Copies up to `max` frames out, oldest first within each lane; `lengths` may be null. Any thread.
  uint32_t receive(uint32_t* ids, uint32_t* lengths, uint32_t max);

  void set_fault(const TransmitFault& fault);
  SinkStats stats() const;
  // Capacity of each lane's ring (`ringSize`).
  uint32_t size() const { return size_; }
  uint32_t queued() const;
  // Rings the sink has (the one made with the device, taken over or not, and every lane): 1 to kLanes.
  unsigned lanes() const;

  // Waits for frames without polling. Ready: frames are waiting or the sink is closed; the
  // waiter is not listed and will not be notified. Listed: waiter->notify() is called exactly
  // once, from any thread, when frames arrive or the sink closes, unless cancel_wait() returns
  // true first. The caller keeps the waiter (and the sink) alive until then.
  enum class Wait { Ready, Listed };
  Wait wait(SinkWaiter* waiter);
  // True: the waiter was still listed and is now removed (never notified). False: notify()
  // runs or ran on another thread; keep the waiter alive until it has.
  bool cancel_wait(SinkWaiter* waiter);
  // No frame will come any more (the device was released): notifies every waiter; later
  // wait() calls answer Ready.
  void close_waiters();
  bool waiters_closed() const { return waiters_.closed(); }
  uint32_t waiting() const { return waiters_.count(); }

  static bool valid_size(uint64_t size) { return size >= 1 && size <= kMaxSize && (size & (size - 1)) == 0; }

 private:
  void arm();
  void wake_waiters();

  // This thread's lane, and whether it must take the lane's lock.
  Lane* lane_for_this_thread(bool* locked);
  Lane* make_lane(unsigned index);
  // One bulk into `lane` by its one producer; *wake: this bulk took the armed flag.
  uint32_t transmit_into(Lane* lane, const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed, bool* wake);

  const uint32_t size_;
  std::atomic<Lane*> lanes_[kLanes] = {};

  // The ring made with the device, until the first producer's lane takes it over.
  std::atomic<Lane*> spare_{nullptr};
  // Frames dropped because no ring could be allocated for their producer (counted as drops).
  std::atomic<uint64_t> unringed_drops_{0};
  // The fault each bulk applies, read once per bulk: bit 32 error, low 32 bits accept_at_most.
  std::atomic<uint64_t> fault_{UINT32_MAX};
  std::mutex lane_mu_;  // lane creation against arm
  // A consumer waits for frames (read by every bulk: on the producers' read-mostly line).
  std::atomic<bool> armed_{false};

  // Consumer side.
  alignas(64) std::mutex rx_mu_;
  unsigned rx_next_lane_ = 0;  // guarded by rx_mu_: the lane a receive starts with
  std::atomic<uint64_t> wakeups_{0};
  SinkWaiters waiters_;
};

}  // namespace rt

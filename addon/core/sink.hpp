// A device's transmit sink: a bounded descriptor ring that transmits fill and consumers drain.
//
// Producers (transmitting threads) are serialised by a spinlock held for one bulk (at most 16
// frames); consumers by a mutex. Between the two sides the ring is single-producer /
// single-consumer: the producer publishes `tail` with release, the consumer `head`.
// Counters are written under the transmit lock and read without it (relaxed loads).
//
// Consumers may wait for frames instead of polling (wait(), docs/design.md, Consumer
// wake-ups): a waiting consumer arms a flag under the transmit lock; the producer that
// publishes frames into an armed sink disarms it and notifies every listed waiter, once per
// empty -> non-empty transition that someone waits for. Unarmed, a bulk pays one plain load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "frame.hpp"
#include "sink_waiters.hpp"

namespace rt {

struct SinkStats {
  uint64_t tx_frames;  // accepted into the ring
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

  // A sink's descriptor ring, allocated before the sink (and the device) that will own it, so
  // that creating a device fails with -ENOMEM instead of throwing.
  struct Ring {
    Frame* cells;
    uint32_t size;
  };
  // 0 and the ring in *out, -EINVAL for a size valid_size() refuses, -ENOMEM.
  static int allocate_ring(uint32_t size, Ring* out);
  // Frees a ring no sink took over.
  static void free_ring(Ring ring);

  // Takes over `ring` (from allocate_ring).
  explicit Sink(Ring ring) noexcept;
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Transmits one bulk from any thread. Returns how many frames entered the ring; the rest
  // are counted as drops (or errors under an error fault) and reported in *dropped / *failed.
  uint32_t transmit(const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed);

  // Copies up to `max` frames out, oldest first; `lengths` may be null. Any thread.
  uint32_t receive(uint32_t* ids, uint32_t* lengths, uint32_t max);

  void set_fault(const TransmitFault& fault);
  SinkStats stats() const;
  uint32_t size() const { return mask_ + 1; }
  uint32_t queued() const;

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
  void lock_tx();
  void unlock_tx() { tx_locked_.store(false, std::memory_order_release); }
  void set_armed(bool armed);
  void wake_waiters();

  // Producer side: one cache line, owned by whichever thread transmits.
  alignas(64) std::atomic<bool> tx_locked_{false};
  std::atomic<uint64_t> tail_{0};
  TransmitFault fault_;  // guarded by tx_locked_
  bool armed_ = false;   // guarded by tx_locked_: a consumer waits for frames
  std::atomic<uint64_t> tx_frames_{0}, tx_bytes_{0}, drops_{0}, errors_{0}, bulks_{0};

  // Consumer side.
  alignas(64) std::mutex rx_mu_;
  std::atomic<uint64_t> head_{0};
  std::atomic<uint64_t> wakeups_{0};
  SinkWaiters waiters_;

  alignas(64) Frame* const cells_;
  const uint32_t mask_;
};

}  // namespace rt

#include "sink.hpp"

#include <algorithm>
#include <cerrno>
#include <new>
#include <thread>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "race_point.hpp"

namespace rt {

namespace {

// Counters have one writer at a time (the transmit lock holder): no locked instruction needed.
void bump(std::atomic<uint64_t>& counter, uint64_t value) {
  counter.store(counter.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
}

}  // namespace

namespace {

// nullptr when out of memory. Large rings get pages of their own (alloc::allocate_zeroed).
Frame* allocate_cells(uint32_t size) {
  const size_t bytes = size_t{size} * sizeof(Frame);
  auto* cells = static_cast<Frame*>(alloc::allocate_zeroed(bytes));
  if (cells != nullptr) memory::allocated(memory::kRings, bytes);
  return cells;
}

void free_cells(Frame* cells, uint32_t size) {
  const size_t bytes = size_t{size} * sizeof(Frame);
  alloc::free_zeroed(cells, bytes);
  memory::freed(memory::kRings, bytes);
}

}  // namespace

int Sink::allocate_ring(uint32_t size, Ring* out) {
  if (!valid_size(size)) return -EINVAL;
  Frame* cells = allocate_cells(size);
  if (cells == nullptr) return -ENOMEM;
  *out = Ring{cells, size};
  return 0;
}

void Sink::free_ring(Ring ring) { free_cells(ring.cells, ring.size); }

Sink::Sink(Ring ring) noexcept : cells_(ring.cells), mask_(ring.size - 1) {}

Sink::~Sink() { free_cells(cells_, mask_ + 1); }

void Sink::lock_tx() {
  for (unsigned spins = 0;; ++spins) {
    if (!tx_locked_.exchange(true, std::memory_order_acquire)) return;
    while (tx_locked_.load(std::memory_order_relaxed)) {
      // The holder copies at most 16 descriptors, but may be preempted: yield soon.
      if (++spins > 64) std::this_thread::yield();
#if defined(__x86_64__) || defined(__i386__)
      else __builtin_ia32_pause();
#endif
    }
  }
}

uint32_t Sink::transmit(const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed) {
  lock_tx();
  bump(bulks_, 1);
  if (fault_.error) {
    bump(errors_, n);
    unlock_tx();
    *dropped = 0;
    *failed = n;
    return 0;
  }
  uint64_t tail = tail_.load(std::memory_order_relaxed);
  uint64_t room = size() - (tail - head_.load(std::memory_order_acquire));
  uint32_t accept = static_cast<uint32_t>(std::min<uint64_t>({n, room, fault_.accept_at_most}));
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < accept; ++i) {
    cells_[(tail + i) & mask_] = frames[i];
    bytes += frames[i].length;
  }
  tail_.store(tail + accept, std::memory_order_release);
  // Read under the lock that the consumer arms under: either its arming came first and this
  // bulk wakes it, or this bulk came first and its re-check after arming sees the new tail.
  const bool wake = armed_ && accept != 0;
  if (wake) armed_ = false;  // one wake-up per transition: the next bulks see it disarmed
  bump(tx_frames_, accept);
  bump(tx_bytes_, bytes);
  bump(drops_, n - accept);
  unlock_tx();
  if (wake) wake_waiters();
  *dropped = n - accept;
  *failed = 0;
  return accept;
}

uint32_t Sink::receive(uint32_t* ids, uint32_t* lengths, uint32_t max) {
  std::lock_guard<std::mutex> lock(rx_mu_);
  uint64_t head = head_.load(std::memory_order_relaxed);
  uint64_t available = tail_.load(std::memory_order_acquire) - head;
  uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(available, max));
  for (uint32_t i = 0; i < n; ++i) {
    const Frame& frame = cells_[(head + i) & mask_];
    ids[i] = frame.id;
    if (lengths != nullptr) lengths[i] = frame.length;
  }
  head_.store(head + n, std::memory_order_release);
  return n;
}

void Sink::set_fault(const TransmitFault& fault) {
  lock_tx();
  fault_ = fault;
  unlock_tx();
}

SinkStats Sink::stats() const {
  return SinkStats{tx_frames_.load(std::memory_order_relaxed), tx_bytes_.load(std::memory_order_relaxed),
                   drops_.load(std::memory_order_relaxed),     errors_.load(std::memory_order_relaxed),
                   bulks_.load(std::memory_order_relaxed),     wakeups_.load(std::memory_order_relaxed)};
}

// Wake-ups (docs/design.md, Consumer wake-ups). The armed flag is written only under both the
// waiter list's lock and the transmit lock (in that order), or by a transmit that found it set.

void Sink::set_armed(bool armed) {
  lock_tx();
  armed_ = armed;
  unlock_tx();
}

Sink::Wait Sink::wait(SinkWaiter* waiter) {
  if (!waiters_.add(waiter, [this] { set_armed(true); })) return Wait::Ready;  // closed
  RT_RACE_POINT();  // producers may fill the ring here, and find it full afterwards
  // The re-check after arming: frames published before the arming are seen here (the
  // transmit lock orders the two), frames published after it wake the waiter.
  if (queued() == 0) return Wait::Listed;
  return waiters_.remove(waiter, [this] { set_armed(false); }) ? Wait::Ready : Wait::Listed;
}

bool Sink::cancel_wait(SinkWaiter* waiter) { return waiters_.remove(waiter, [this] { set_armed(false); }); }

void Sink::wake_waiters() {
  // Disarmed again under the list lock: a waiter listed (and armed) since the transmit saw the
  // flag is taken now, and must not leave the flag set with nobody listed.
  SinkWaiter* chain = waiters_.take_all([this] { set_armed(false); });
  // Counted even when the chain is empty (every waiter found the frames in its re-check and
  // left): it counts what producers pay, one list lock per wake-up.
  wakeups_.fetch_add(1, std::memory_order_relaxed);
  SinkWaiters::notify_all(chain);
}

void Sink::close_waiters() { SinkWaiters::notify_all(waiters_.close()); }

uint32_t Sink::queued() const {
  return static_cast<uint32_t>(tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire));
}

}  // namespace rt

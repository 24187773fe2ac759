#include "sink.hpp"

#include <algorithm>
#include <cerrno>
#include <new>
#include <thread>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "thread_slot.hpp"

namespace rt {

// One producer lane: its lock, tail and counters on the producer's cache line, head on the
// consumer's.
struct Sink::Lane {
  alignas(64) std::atomic<bool> locked{false};
  std::atomic<uint64_t> tail{0};
  std::atomic<uint64_t> tx_frames{0}, tx_bytes{0}, drops{0}, errors{0}, bulks{0};

  alignas(64) std::atomic<uint64_t> head{0};

  alignas(64) Frame* const cells;
  const uint32_t mask;

  Lane(Frame* c, uint32_t size) : cells(c), mask(size - 1) {}

  void lock();
  void unlock() { locked.store(false, std::memory_order_release); }
  uint32_t queued() const {
    return static_cast<uint32_t>(tail.load(std::memory_order_acquire) - head.load(std::memory_order_acquire));
  }
};

namespace {

// Counters have one writer at a time (the lane lock holder): no locked instruction needed.
void bump(std::atomic<uint64_t>& counter, uint64_t value) {
  counter.store(counter.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
}

}  // namespace

// A lane and its ring, nullptr when out of memory. Large rings get pages of their own
// (alloc::allocate_zeroed).
static Sink::Lane* allocate_lane(uint32_t size) {
  const size_t bytes = size_t{size} * sizeof(Frame);
  auto* cells = static_cast<Frame*>(alloc::allocate_zeroed(bytes));
  if (cells == nullptr) return nullptr;
  Sink::Lane* lane = alloc::make<Sink::Lane>(cells, size);
  if (lane == nullptr) {
    alloc::free_zeroed(cells, bytes);
    return nullptr;
  }
  memory::allocated(memory::kRings, bytes);
  memory::allocated(memory::kDevices, sizeof(Sink::Lane));  // the lane's bookkeeping
  return lane;
}

static void free_lane(Sink::Lane* lane, uint32_t size) {
  const size_t bytes = size_t{size} * sizeof(Frame);
  alloc::free_zeroed(lane->cells, bytes);
  delete lane;
  memory::freed(memory::kRings, bytes);
  memory::freed(memory::kDevices, sizeof(Sink::Lane));
}

void Sink::Lane::lock() {
  for (unsigned spins = 0;; ++spins) {
    if (!locked.exchange(true, std::memory_order_acquire)) return;
    while (locked.load(std::memory_order_relaxed)) {
      // The holder copies at most 16 descriptors, but may be preempted: yield soon.
      if (++spins > 64) std::this_thread::yield();
#if defined(__x86_64__) || defined(__i386__)
      else __builtin_ia32_pause();
#endif
    }
  }
}

int Sink::allocate_ring(uint32_t size, Ring* out) {
  if (!valid_size(size)) return -EINVAL;
  Lane* lane = allocate_lane(size);
  if (lane == nullptr) return -ENOMEM;
  *out = Ring{lane, size};
  return 0;
}

void Sink::free_ring(Ring ring) { free_lane(ring.lane, ring.size); }

Sink::Sink(Ring ring) noexcept : size_(ring.size) { lanes_[0].store(ring.lane, std::memory_order_relaxed); }

Sink::~Sink() {
  for (auto& slot : lanes_) {
    if (Lane* lane = slot.load(std::memory_order_relaxed)) free_lane(lane, size_);
  }
}

Sink::Lane* Sink::make_lane(unsigned index) {
  std::lock_guard<std::mutex> lock(lane_mu_);
  if (Lane* existing = lanes_[index].load(std::memory_order_acquire)) return existing;
  Lane* lane = allocate_lane(size_);
  if (lane != nullptr) lanes_[index].store(lane, std::memory_order_release);
  return lane;
}

Sink::Lane* Sink::lane_for_this_thread() {
  const unsigned index = thread_slot() % kLanes;
  Lane* lane = lanes_[index].load(std::memory_order_acquire);
  if (__builtin_expect(lane != nullptr, 1)) return lane;
  lane = make_lane(index);
  // Out of memory: share lane 0, which every sink has.
  return lane != nullptr ? lane : lanes_[0].load(std::memory_order_relaxed);
}

uint32_t Sink::transmit(const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed) {
  Lane* lane = lane_for_this_thread();  // never nullptr: lane 0 exists
  lane->lock();
  bump(lane->bulks, 1);
  if (fault_error_.load(std::memory_order_relaxed)) {
    bump(lane->errors, n);
    lane->unlock();
    *dropped = 0;
    *failed = n;
    return 0;
  }
  const uint64_t tail = lane->tail.load(std::memory_order_relaxed);
  const uint64_t room = size_ - (tail - lane->head.load(std::memory_order_acquire));
  const uint32_t accept =
      static_cast<uint32_t>(std::min<uint64_t>({n, room, fault_accept_at_most_.load(std::memory_order_relaxed)}));
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < accept; ++i) {
    lane->cells[(tail + i) & lane->mask] = frames[i];
    bytes += frames[i].length;
  }
  lane->tail.store(tail + accept, std::memory_order_release);
  bump(lane->tx_frames, accept);
  bump(lane->tx_bytes, bytes);
  bump(lane->drops, n - accept);
  lane->unlock();
  *dropped = n - accept;
  *failed = 0;
  return accept;
}

uint32_t Sink::receive(uint32_t* ids, uint32_t* lengths, uint32_t max) {
  std::lock_guard<std::mutex> lock(rx_mu_);
  uint32_t copied = 0;
  const unsigned first = rx_next_lane_;
  for (unsigned k = 0; k < kLanes && copied < max; ++k) {
    Lane* lane = lanes_[(first + k) % kLanes].load(std::memory_order_acquire);
    if (lane == nullptr) continue;
    const uint64_t head = lane->head.load(std::memory_order_relaxed);
    const uint64_t available = lane->tail.load(std::memory_order_acquire) - head;
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(available, max - copied));
    for (uint32_t i = 0; i < n; ++i) {
      const Frame& frame = lane->cells[(head + i) & lane->mask];
      ids[copied + i] = frame.id;
      if (lengths != nullptr) lengths[copied + i] = frame.length;
    }
    lane->head.store(head + n, std::memory_order_release);
    copied += n;
  }
  rx_next_lane_ = (first + 1) % kLanes;  // no lane starves another across calls
  return copied;
}

void Sink::set_fault(const TransmitFault& fault) {
  std::lock_guard<std::mutex> creation(lane_mu_);
  Lane* locked[kLanes];
  unsigned count = 0;
  for (auto& slot : lanes_) {
    if (Lane* lane = slot.load(std::memory_order_acquire)) {
      lane->lock();
      locked[count++] = lane;
    }
  }
  fault_error_.store(fault.error, std::memory_order_relaxed);
  fault_accept_at_most_.store(fault.accept_at_most, std::memory_order_relaxed);
  for (unsigned i = 0; i < count; ++i) locked[i]->unlock();
}

SinkStats Sink::stats() const {
  SinkStats s{};
  for (const auto& slot : lanes_) {
    if (const Lane* lane = slot.load(std::memory_order_acquire)) {
      s.tx_frames += lane->tx_frames.load(std::memory_order_relaxed);
      s.tx_bytes += lane->tx_bytes.load(std::memory_order_relaxed);
      s.drops += lane->drops.load(std::memory_order_relaxed);
      s.errors += lane->errors.load(std::memory_order_relaxed);
      s.bulks += lane->bulks.load(std::memory_order_relaxed);
    }
  }
  return s;
}

uint32_t Sink::queued() const {
  uint64_t total = 0;
  for (const auto& slot : lanes_) {
    if (const Lane* lane = slot.load(std::memory_order_acquire)) total += lane->queued();
  }
  return static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX));
}

unsigned Sink::lanes() const {
  unsigned count = 0;
  for (const auto& slot : lanes_) count += slot.load(std::memory_order_relaxed) != nullptr;
  return count;
}

}  // namespace rt

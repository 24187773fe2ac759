#include "sink.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include "alloc.hpp"
#include "memory_usage.hpp"
#include "race_point.hpp"

namespace rt {

// One producer lane: its lock, tail, counters and the (read-only) ring address on the producer's
// cache line, so a bulk touches one line of the lane besides the cells; head on the consumer's.
struct Sink::Lane {
  alignas(64) std::atomic<bool> locked{false};
  const uint32_t mask;
  std::atomic<uint64_t> tail{0};
  Frame* const cells;
  std::atomic<uint64_t> tx_frames{0}, tx_bytes{0}, drops{0}, errors{0}, bulks{0};

  alignas(64) std::atomic<uint64_t> head{0};

  Lane(Frame* c, uint32_t size) : mask(size - 1), cells(c) {}

  void lock();
  void unlock() { locked.store(false, std::memory_order_release); }
  uint32_t queued() const {
    return static_cast<uint32_t>(tail.load(std::memory_order_acquire) - head.load(std::memory_order_acquire));
  }
};

namespace {

// Counters have one writer at a time (the lane's owner or lock holder): no locked instruction.
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

Sink::Sink(Ring ring) noexcept : size_(ring.size) { spare_.store(ring.lane, std::memory_order_relaxed); }

Sink::~Sink() {
  for (auto& slot : lanes_) {
    if (Lane* lane = slot.load(std::memory_order_relaxed)) free_lane(lane, size_);
  }
  if (Lane* spare = spare_.load(std::memory_order_relaxed)) free_lane(spare, size_);
}

Sink::Lane* Sink::make_lane(unsigned index) {
  std::lock_guard<std::mutex> lock(lane_mu_);
  if (Lane* existing = lanes_[index].load(std::memory_order_acquire)) return existing;
  // The first lane a producer needs is the ring made with the device.
  Lane* lane = spare_.exchange(nullptr, std::memory_order_relaxed);
  if (lane == nullptr) lane = allocate_lane(size_);
  if (lane != nullptr) lanes_[index].store(lane, std::memory_order_release);
  return lane;
}

namespace {

// Lane numbers of producer threads: the first kOwnedLanes threads that transmit (at once) own
// one each, given back when the thread exits; later ones use the shared lane. Only producers
// take one, so liburcu's and our own service threads leave them to the threads that transmit.
thread_local unsigned tls_lane __attribute__((tls_model("initial-exec"))) = 0;  // lane + 1
std::mutex lane_numbers_mu;
unsigned lane_numbers_taken = 0;  // bit per owned lane, guarded by lane_numbers_mu

struct LaneNumberRelease {
  unsigned owned = Sink::kSharedLane;
  ~LaneNumberRelease() {
    tls_lane = Sink::kSharedLane + 1;  // transmits later in this thread's exit: the shared lane
    if (owned == Sink::kSharedLane) return;
    std::lock_guard<std::mutex> lock(lane_numbers_mu);
    lane_numbers_taken &= ~(1u << owned);  // the next owner starts after this (the mutex)
  }
};

[[gnu::noinline]] unsigned assign_lane_number() {
  static thread_local LaneNumberRelease release;
  unsigned lane = Sink::kSharedLane;
  {
    std::lock_guard<std::mutex> lock(lane_numbers_mu);
    for (unsigned i = 0; i < Sink::kOwnedLanes; ++i) {
      if ((lane_numbers_taken & (1u << i)) == 0) {
        lane_numbers_taken |= 1u << i;
        lane = i;
        break;
      }
    }
  }
  release.owned = lane;
  tls_lane = lane + 1;
  return lane;
}

inline unsigned lane_number() {
  const unsigned lane = tls_lane;
  return __builtin_expect(lane != 0, 1) ? lane - 1 : assign_lane_number();
}

// The asymmetric fence (membarrier, private expedited): a waiting consumer's full barrier on
// every running thread of the process, so owned lanes' producers need none (docs/design.md,
// "Consumer wake-ups"). Registered once; REDIRECT_TABLE_ASYMMETRIC_FENCE=0 behaves as a kernel
// without it (every lane locked), so that tests run that path too.
bool probe_asymmetric_fence() {
  const char* setting = std::getenv("REDIRECT_TABLE_ASYMMETRIC_FENCE");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return false;
  const long commands = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (commands < 0 || (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

// Decided when the library loads, before any thread can transmit.
const bool kAsymmetricFence = probe_asymmetric_fence();

inline bool asymmetric_fence() { return kAsymmetricFence; }

}  // namespace

// Inlined into transmit (per bulk): no call of its own.
[[gnu::always_inline]] inline Sink::Lane* Sink::lane_for_this_thread(bool* locked) {
  const unsigned index = lane_number();
  Lane* lane = lanes_[index].load(std::memory_order_acquire);
  if (__builtin_expect(lane == nullptr, 0)) lane = make_lane(index);
  if (__builtin_expect(lane != nullptr && index != kSharedLane, 1)) {
    *locked = !asymmetric_fence();
    return lane;
  }
  *locked = true;  // the shared lane (also when this thread's own could not be allocated)
  if (index == kSharedLane) return lane;
  Lane* shared = lanes_[kSharedLane].load(std::memory_order_acquire);
  return shared != nullptr ? shared : make_lane(kSharedLane);  // nullptr: out of memory
}

uint32_t Sink::transmit(const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed) {
  bool locked = true;
  Lane* lane = lane_for_this_thread(&locked);
  if (__builtin_expect(lane == nullptr, 0)) {  // no ring for this thread (out of memory)
    unringed_drops_.fetch_add(n, std::memory_order_relaxed);
    *dropped = n;
    *failed = 0;
    return 0;
  }
  bool wake = false;
  uint32_t accepted;
  if (!locked) {
    accepted = transmit_into(lane, frames, n, dropped, failed, &wake);
  } else {
    lane->lock();
    accepted = transmit_into(lane, frames, n, dropped, failed, &wake);
    lane->unlock();
  }
  if (wake) wake_waiters();  // with no lane lock held (lock order: the list comes first)
  return accepted;
}

// The lane's one producer: its owner, or the holder of its lock. Inlined into transmit.
[[gnu::always_inline]] inline uint32_t Sink::transmit_into(Lane* lane, const Frame* frames, uint32_t n, uint32_t* dropped, uint32_t* failed,
                             bool* wake) {
  const uint64_t fault = fault_.load(std::memory_order_relaxed);
  bump(lane->bulks, 1);
  if ((fault >> 32) != 0) {
    bump(lane->errors, n);
    *dropped = 0;
    *failed = n;
    return 0;
  }
  const uint64_t tail = lane->tail.load(std::memory_order_relaxed);
  const uint64_t room = size_ - (tail - lane->head.load(std::memory_order_acquire));
  const uint32_t accept = static_cast<uint32_t>(std::min<uint64_t>({n, room, fault & UINT32_MAX}));
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < accept; ++i) {
    lane->cells[(tail + i) & lane->mask] = frames[i];
    bytes += frames[i].length;
  }
  lane->tail.store(tail + accept, std::memory_order_release);
  // The flag is read after the tail is published, in program order (the signal fence keeps the
  // compiler from hoisting the load); the CPU's order is arm()'s business: either its fence
  // (membarrier, or this lane's lock) came first and this bulk sees the flag and wakes the
  // consumer, or this bulk's tail was visible to the consumer's re-check.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  *wake = accept != 0 && armed_.load(std::memory_order_relaxed) && armed_.exchange(false, std::memory_order_relaxed);
  bump(lane->tx_frames, accept);
  bump(lane->tx_bytes, bytes);
  bump(lane->drops, n - accept);
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
  fault_.store((uint64_t{fault.error} << 32) | fault.accept_at_most, std::memory_order_relaxed);
}

SinkStats Sink::stats() const {
  SinkStats s{};
  s.wakeups = wakeups_.load(std::memory_order_relaxed);
  s.drops = unringed_drops_.load(std::memory_order_relaxed);
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
  unsigned count = spare_.load(std::memory_order_relaxed) != nullptr;
  for (const auto& slot : lanes_) count += slot.load(std::memory_order_relaxed) != nullptr;
  return count;
}

// Wake-ups (docs/design.md, "Consumer wake-ups").

void Sink::arm() {
  armed_.store(true, std::memory_order_relaxed);
  // Owned lanes take no lock: the asymmetric fence is a full barrier on every thread of the
  // process, so a bulk whose flag read came before it had its tail visible after it (the
  // caller's re-check sees it), and a bulk after it reads the flag set.
  if (asymmetric_fence()) syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  // Locked lanes: every lane's lock, taken and dropped after the flag is set (and lane creation
  // held off meanwhile): a bulk published before a lane's turn here is seen by the caller's
  // re-check; a bulk published after it reads the flag set.
  std::lock_guard<std::mutex> creation(lane_mu_);
  for (auto& slot : lanes_) {
    if (Lane* lane = slot.load(std::memory_order_acquire)) {
      lane->lock();
      lane->unlock();
    }
  }
}

Sink::Wait Sink::wait(SinkWaiter* waiter) {
  if (!waiters_.add(waiter, [this] { arm(); })) return Wait::Ready;  // closed
  RT_RACE_POINT();  // producers may fill the ring here, and find it full afterwards
  // The re-check after arming: frames published before the arming are seen here, frames
  // published after it wake the waiter.
  if (queued() == 0) return Wait::Listed;
  return waiters_.remove(waiter, [this] { armed_.store(false, std::memory_order_relaxed); }) ? Wait::Ready : Wait::Listed;
}

bool Sink::cancel_wait(SinkWaiter* waiter) {
  return waiters_.remove(waiter, [this] { armed_.store(false, std::memory_order_relaxed); });
}

void Sink::wake_waiters() {
  // Disarmed again under the list lock: a waiter listed (and armed) since the transmit took the
  // flag is taken now, and must not leave the flag set with nobody listed.
  SinkWaiter* chain = waiters_.take_all([this] { armed_.store(false, std::memory_order_relaxed); });
  // Counted even when the chain is empty (every waiter found the frames in its re-check and
  // left): it counts what producers pay, one list lock per wake-up.
  wakeups_.fetch_add(1, std::memory_order_relaxed);
  SinkWaiters::notify_all(chain);
}

void Sink::close_waiters() { SinkWaiters::notify_all(waiters_.close()); }

}  // namespace rt

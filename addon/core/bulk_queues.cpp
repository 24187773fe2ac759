#include "bulk_queues.hpp"

#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

#include "alloc.hpp"
#include "memory_usage.hpp"

#include "device.hpp"
#include "table.hpp"
#include "verdict.hpp"

namespace rt {

// Destroyed at thread exit before the RCU exit guard (constructed after it): flushes and closes
// a section left open, then frees the queues.
struct BulkQueues::Owner {
  ~Owner() {
    if (tls_queues_ == nullptr) return;
    tls_queues_->flush_and_close_section();
    delete tls_queues_;
    tls_queues_ = nullptr;
    memory::freed(memory::kThreads, sizeof(BulkQueues));
  }
};

constinit thread_local BulkQueues* BulkQueues::tls_queues_ = nullptr;

BulkQueues::BulkQueues() { std::memset(queue_of_, kNoQueue, sizeof(queue_of_)); }

BulkQueues* BulkQueues::create_current() {
  rcu::ensure_thread_registered();  // its exit guard must outlive ours
  static thread_local Owner owner;
  (void)owner;
  tls_queues_ = alloc::make<BulkQueues>();
  if (tls_queues_ != nullptr) memory::allocated(memory::kThreads, sizeof(BulkQueues));
  return tls_queues_;
}

void BulkQueues::release_current_thread() {
  if (tls_queues_ != nullptr) tls_queues_->flush_and_close_section();
}

void BulkQueues::transmit(unsigned index) {
  Queue& q = queues_[index];
  uint32_t dropped = 0, failed = 0;
  uint32_t sent = q.device->sink().transmit(q.frames, q.count, &dropped, &failed);
  auto& counters = q.table->counters();
  counters.add(kBulks, 1);
  if (sent != q.count) {
    // The sink takes a prefix of the bulk: frames [sent, count) were refused.
    const int verdict = failed != 0 ? rt::verdict::kTxError : rt::verdict::kNoBufs;
    counters.add(failed != 0 ? kTxErrors : kNoBufs, q.count - sent);
    for (uint32_t i = sent; i < q.count; ++i) {
      const uint32_t origin = q.origins[i];
      if (origin == kNoOrigin) continue;
      ++batch_refused_;
      if (batch_verdicts_ != nullptr) batch_verdicts_[origin] = verdict;
    }
  }
  if (tracing_) {
    try {
      events_.push_back(TraceEvent{q.table->id(), q.from_ifindex, q.device->ifindex(), sent, dropped, failed});
    } catch (const std::bad_alloc&) {
      ++lost_events_;  // tracing is best effort: the frames themselves are transmitted
    }
  }
  q.count = 0;
  pending_ &= ~(uint64_t{1} << index);
  const uint32_t mapped = q.device->transmit_index();
  if (mapped < kMappedDevices && queue_of_[mapped] == index) queue_of_[mapped] = kNoQueue;
}

void BulkQueues::transmit_other_owners() {
  for (uint64_t bits = pending_; bits != 0; bits &= bits - 1) {
    const auto index = static_cast<unsigned>(__builtin_ctzll(bits));
    if (queues_[index].table != batch_table_ || queues_[index].from_ifindex != batch_from_) transmit(index);
  }
}

void BulkQueues::flush() {
  // Count one flush per table involved (usually one): remember the last few tables seen.
  Table* seen[4] = {};
  unsigned seen_count = 0;
  while (pending_ != 0) {
    unsigned index = static_cast<unsigned>(__builtin_ctzll(pending_));
    Table* table = queues_[index].table;
    transmit(index);
    bool counted = false;
    for (unsigned i = 0; i < seen_count && !counted; ++i) counted = seen[i] == table;
    if (!counted) {
      table->counters().add(kFlushes, 1);
      seen[seen_count++ % 4] = table;
      if (seen_count > 4) seen_count = 4;
    }
  }
}

void BulkQueues::flush_and_close_section() {
  if (!section_open_) return;
  flush();
  section_open_ = false;
  rcu::read_unlock();
}

std::vector<TraceEvent> BulkQueues::take_events() {
  std::vector<TraceEvent> events;
  events.swap(events_);
  lost_events_ = 0;
  return events;
}

}  // namespace rt

#include "sink_waiters.hpp"

namespace rt {

void SinkWaiters::link(SinkWaiter* waiter) {
  waiter->prev_ = nullptr;
  waiter->next_ = head_;
  if (head_ != nullptr) head_->prev_ = waiter;
  head_ = waiter;
  waiter->listed_ = true;
  count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void SinkWaiters::unlink(SinkWaiter* waiter) {
  if (waiter->prev_ != nullptr) waiter->prev_->next_ = waiter->next_;
  else head_ = waiter->next_;
  if (waiter->next_ != nullptr) waiter->next_->prev_ = waiter->prev_;
  waiter->prev_ = waiter->next_ = nullptr;
  waiter->listed_ = false;
  count_.store(count_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

SinkWaiter* SinkWaiters::take_locked() {
  SinkWaiter* chain = head_;
  head_ = nullptr;
  count_.store(0, std::memory_order_relaxed);
  // From here on the chain belongs to the taker: remove() sees listed_ == false and leaves
  // next_ alone.
  for (SinkWaiter* w = chain; w != nullptr; w = w->next_) w->listed_ = false;
  return chain;
}

SinkWaiter* SinkWaiters::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_.store(true, std::memory_order_release);
  return take_locked();
}

bool SinkWaiters::closed() const { return closed_.load(std::memory_order_acquire); }

size_t SinkWaiters::notify_all(SinkWaiter* chain) {
  size_t n = 0;
  while (chain != nullptr) {
    SinkWaiter* next = chain->next_;  // notify() may free the waiter
    chain->prev_ = chain->next_ = nullptr;
    chain->notify();
    chain = next;
    ++n;
  }
  return n;
}

}  // namespace rt

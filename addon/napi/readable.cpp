#include "readable.hpp"

#include <atomic>
#include <cerrno>
#include <new>

#include "env_context.hpp"
#include "errors.hpp"
#include "js.hpp"

namespace rt::napi {

// Two owners, each dropping one reference: the sink side (whoever takes the wait off the sink:
// a notifying thread, or the thread whose cancel_wait() succeeded; it also settles the
// Promise) and the environment side (whoever takes it off the environment's list).
class ReadableWait final : public SinkWaiter {
 public:
  ReadableWait(Device* dev, Ticket* ticket, std::shared_ptr<ReadableWaits> env)
      : dev_(dev), ticket_(ticket), env_(std::move(env)) {
    dev_->retain();
  }

  // Never listed anywhere: settles and frees at once.
  void discard() {
    ticket_->settle(0);
    delete this;
  }

  // Any thread: frames arrived or the device was released.
  void notify() noexcept override { finish(); }

  // The sink side is ours (never listed, or cancel_wait() succeeded): settle, leave both lists.
  void finish() {
    ticket_->settle(0);  // Ticket::settle works in any thread, with the environment gone too
    ticket_ = nullptr;
    if (env_->remove(this)) unref();
    unref();
  }

  // The environment is torn down (its list already took this wait off).
  void detach() {
    if (dev_->sink().cancel_wait(this)) {
      ticket_->settle(0);  // dropped by the Completer: nobody can observe the Promise any more
      ticket_ = nullptr;
      unref();
    }
    unref();
  }

 private:
  friend class ReadableWaits;
  ~ReadableWait() { dev_->release(); }
  void unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  Device* const dev_;  // a lifetime reference: the device outlives its listed waiters
  Ticket* ticket_;
  const std::shared_ptr<ReadableWaits> env_;
  std::atomic<int> refs_{2};
  ReadableWait* prev_ = nullptr;  // in env_'s list, guarded by its mutex
  ReadableWait* next_ = nullptr;
  bool listed_ = false;
};

bool ReadableWaits::add(ReadableWait* wait) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  wait->next_ = head_;
  if (head_ != nullptr) head_->prev_ = wait;
  head_ = wait;
  wait->listed_ = true;
  return true;
}

bool ReadableWaits::remove(ReadableWait* wait) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!wait->listed_) return false;
  if (wait->prev_ != nullptr) wait->prev_->next_ = wait->next_;
  else head_ = wait->next_;
  if (wait->next_ != nullptr) wait->next_->prev_ = wait->prev_;
  wait->prev_ = wait->next_ = nullptr;
  wait->listed_ = false;
  return true;
}

void ReadableWaits::detach_all() {
  ReadableWait* chain;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    chain = head_;
    head_ = nullptr;
    for (ReadableWait* w = chain; w != nullptr; w = w->next_) w->listed_ = false;
  }
  while (chain != nullptr) {
    ReadableWait* next = chain->next_;  // detach() may free it
    chain->detach();
    chain = next;
  }
}

napi_value readable_promise(napi_env env, Device* dev) {
  Sink& sink = dev->sink();
  if (sink.queued() != 0 || sink.waiters_closed()) return js_undefined(env);
  EnvContext* ctx = EnvContext::of(env);
  Ticket* ticket = nullptr;
  napi_value promise = ctx != nullptr ? EnvContext::new_promise(env, &ticket) : nullptr;
  if (promise == nullptr) return nullptr;
  auto* wait = new (std::nothrow) ReadableWait(dev, ticket, ctx->readable_waits());
  if (wait == nullptr) {
    ticket->settle(0);
    return throw_redirect_error(env, -ENOMEM, "cannot allocate a wait for frames");
  }
  if (!ctx->readable_waits()->add(wait)) {  // the environment is being torn down
    wait->discard();
    return promise;
  }
  if (sink.wait(wait) == Sink::Wait::Ready) wait->finish();
  return promise;
}

}  // namespace rt::napi

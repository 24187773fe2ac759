// Settles JS Promises from any thread (the reclaimer, the purge and unregister workers, liburcu's
// call_rcu worker in the fallback, other JS threads).
//
// One thread-safe function per environment. It is referenced only while a Promise is pending,
// so the process neither hangs on it nor exits under a pending `await`. Node deletes the
// function when the environment is torn down; settle() checks, under a lock, that it is still
// alive, and queued calls that arrive during teardown are dropped (call_js with env == null).
#pragma once

#include <node_api.h>

#include <memory>
#include <mutex>

namespace rt::napi {

class Completer;

// A pending Promise: settle it exactly once, from any thread.
class Ticket {
 public:
  // 0 resolves with undefined; a negative errno rejects with a RedirectError.
  void settle(int error);

 private:
  friend class Completer;
  Ticket(std::shared_ptr<Completer> owner, napi_deferred deferred) : owner_(std::move(owner)), deferred_(deferred) {}
  std::shared_ptr<Completer> owner_;
  napi_deferred deferred_;
  int error_ = 0;
};

class Completer : public std::enable_shared_from_this<Completer> {
 public:
  // JS thread only. Returns nullptr (exception pending) on failure.
  static std::shared_ptr<Completer> create(napi_env env);

  // JS thread only: a new pending Promise and the ticket that settles it.
  napi_value make_promise(napi_env env, Ticket** ticket);

  Completer(const Completer&) = delete;
  Completer& operator=(const Completer&) = delete;
  Completer() = default;

 private:
  friend class Ticket;
  static void call_js(napi_env env, napi_value js_callback, void* context, void* data);
  static void finalize(napi_env env, void* data, void* hint);

  std::mutex mu_;  // guards alive_ and every use of tsfn_ from other threads
  bool alive_ = false;
  napi_threadsafe_function tsfn_ = nullptr;
  unsigned pending_ = 0;  // JS thread only
};

}  // namespace rt::napi

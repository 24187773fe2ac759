// Per-environment state (main thread and each worker have their own): the JS functions lib/
// registers (the RedirectError class, the automatic-flush scheduler, the trace dispatcher),
// the completer that settles Promises and the pending readable() waits.
#pragma once

#include <node_api.h>

#include <memory>

#include "completer.hpp"
#include "readable.hpp"
#include "slot_view.hpp"

namespace rt::napi {

// JS functions lib/ hands to the addon once per environment.
enum class JsHook : unsigned {
  RedirectErrorClass,  // new RedirectError(code, message)
  TraceDispatcher,     // (events): delivers trace events to this thread's listeners
  Count
};

class EnvContext {
 public:
  // Creates the context for `env`, sets it as instance data and registers the cleanup hook that
  // unregisters the thread from urcu when the environment is torn down.
  static EnvContext* install(napi_env env);
  static EnvContext* of(napi_env env);

  // nullptr when lib/ has not registered it.
  napi_value hook(napi_env env, JsHook which) const;
  bool set_hook(napi_env env, JsHook which, napi_value fn);
  napi_value redirect_error_class(napi_env env) const { return hook(env, JsHook::RedirectErrorClass); }
  // A new pending Promise of `env` and its ticket; nullptr (exception pending, or the
  // environment is terminating) when it cannot be made.
  static napi_value new_promise(napi_env env, Ticket** ticket);
  // The views of table slot memory this environment has made (slot_view.hpp).
  const std::shared_ptr<SlotViewCache>& slot_views() const { return slot_views_; }
  // The environment's pending readable() calls (readable.hpp), detached by the cleanup hook.
  const std::shared_ptr<ReadableWaits>& readable_waits() const { return readable_waits_; }

 private:
  static void finalize(napi_env env, void* data, void* hint);
  static void cleanup(void* arg);

  std::shared_ptr<Completer> completer_;
  std::shared_ptr<SlotViewCache> slot_views_;
  std::shared_ptr<ReadableWaits> readable_waits_;
  napi_ref hooks_[static_cast<unsigned>(JsHook::Count)] = {};
};

}  // namespace rt::napi

#include "env_context.hpp"

#include "arena_trim.hpp"
#include "bulk_queues.hpp"
#include "rcu.hpp"

#include <new>

namespace rt::napi {

EnvContext* EnvContext::install(napi_env env) {
  auto* ctx = new (std::nothrow) EnvContext();
  if (ctx == nullptr) return nullptr;
  ctx->completer_ = Completer::create(env);
  ctx->slot_views_ = std::shared_ptr<SlotViewCache>(new (std::nothrow) SlotViewCache());
  ctx->readable_waits_ = std::shared_ptr<ReadableWaits>(new (std::nothrow) ReadableWaits());
  if (!ctx->completer_ || !ctx->slot_views_ || !ctx->readable_waits_ || napi_set_instance_data(env, ctx, finalize, nullptr) != napi_ok) {
    delete ctx;
    return nullptr;
  }
  // Keyed by the context, not by a constant: the addon may be loaded more than once into one
  // environment (a cleared require cache, process.dlopen), and Node aborts on a hook added
  // twice with the same function and argument. Each load has its own context and hook.
  if (napi_add_env_cleanup_hook(env, cleanup, ctx) != napi_ok) {
    napi_set_instance_data(env, nullptr, nullptr, nullptr);
    delete ctx;
    return nullptr;
  }
  return ctx;
}

EnvContext* EnvContext::of(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<EnvContext*>(data);
}

napi_value EnvContext::hook(napi_env env, JsHook which) const {
  napi_ref ref = hooks_[static_cast<unsigned>(which)];
  napi_value fn = nullptr;
  if (ref == nullptr || napi_get_reference_value(env, ref, &fn) != napi_ok) return nullptr;
  return fn;
}

bool EnvContext::set_hook(napi_env env, JsHook which, napi_value fn) {
  napi_ref fresh = nullptr;
  if (napi_create_reference(env, fn, 1, &fresh) != napi_ok) return false;
  napi_ref& ref = hooks_[static_cast<unsigned>(which)];
  if (ref != nullptr) napi_delete_reference(env, ref);
  ref = fresh;
  return true;
}

napi_value EnvContext::new_promise(napi_env env, Ticket** ticket) {
  EnvContext* ctx = of(env);
  return ctx != nullptr ? ctx->completer_->make_promise(env, ticket) : nullptr;
}

void EnvContext::finalize(napi_env env, void* data, void*) {
  auto* ctx = static_cast<EnvContext*>(data);
  for (napi_ref ref : ctx->hooks_) {
    if (ref != nullptr) napi_delete_reference(env, ref);
  }
  for (auto& [memory, view] : ctx->slot_views_->views) napi_delete_reference(env, view.ref);
  ctx->slot_views_->views.clear();
  delete ctx;
}

void EnvContext::cleanup(void* arg) {
  // Pending readable() calls leave their devices' sinks now: no producer may notify a wait of
  // a torn-down environment later. (This hook was added after Node-API's own for the
  // environment, so it runs before the context is finalized.)
  static_cast<EnvContext*>(arg)->readable_waits_->detach_all();
  // The steps below are idempotent: with the addon loaded twice, each load's hook runs them.
  // Frames the per-frame API still holds are transmitted, and its read-side section closed,
  // before the thread leaves urcu.
  rt::BulkQueues::release_current_thread();
  // The environment's thread may exit right after this; a thread that exits registered corrupts
  // later grace periods. Finalizers that run later register again lazily (and the thread's
  // exit guard unregisters it for good).
  rt::rcu::unregister_current_thread();
  // A worker's memory goes back to its malloc arena as the worker ends: have it returned.
  rt::memory::trim_after_thread_exit();
}

}  // namespace rt::napi

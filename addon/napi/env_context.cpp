#include "env_context.hpp"

#include "bulk_queues.hpp"
#include "rcu.hpp"

namespace rt::napi {

EnvContext* EnvContext::install(napi_env env) {
  auto* ctx = new EnvContext();
  ctx->completer_ = Completer::create(env);
  if (!ctx->completer_) {
    delete ctx;
    return nullptr;
  }
  napi_set_instance_data(env, ctx, finalize, nullptr);
  napi_add_env_cleanup_hook(env, cleanup, nullptr);
  return ctx;
}

EnvContext* EnvContext::of(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<EnvContext*>(data);
}

napi_value EnvContext::hook(napi_env env, JsHook which) const {
  napi_ref ref = hooks_[static_cast<unsigned>(which)];
  if (ref == nullptr) return nullptr;
  napi_value fn = nullptr;
  napi_get_reference_value(env, ref, &fn);
  return fn;
}

void EnvContext::set_hook(napi_env env, JsHook which, napi_value fn) {
  napi_ref& ref = hooks_[static_cast<unsigned>(which)];
  if (ref != nullptr) napi_delete_reference(env, ref);
  napi_create_reference(env, fn, 1, &ref);
}

void EnvContext::finalize(napi_env env, void* data, void*) {
  auto* ctx = static_cast<EnvContext*>(data);
  for (napi_ref ref : ctx->hooks_) {
    if (ref != nullptr) napi_delete_reference(env, ref);
  }
  delete ctx;
}

void EnvContext::cleanup(void*) {
  // Frames the per-frame API still holds are transmitted, and its read-side section closed,
  // before the thread leaves urcu.
  rt::BulkQueues::release_current_thread();
  // The environment's thread may exit right after this; a thread that exits registered corrupts
  // later grace periods. Finalizers that run later register again lazily (and the thread's
  // exit guard unregisters it for good).
  rt::rcu::unregister_current_thread();
}

}  // namespace rt::napi

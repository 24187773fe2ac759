#include "env_context.hpp"

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

napi_value EnvContext::redirect_error_class(napi_env env) const {
  if (redirect_error_class_ == nullptr) return nullptr;
  napi_value ctor = nullptr;
  napi_get_reference_value(env, redirect_error_class_, &ctor);
  return ctor;
}

void EnvContext::set_redirect_error_class(napi_env env, napi_value ctor) {
  if (redirect_error_class_ != nullptr) napi_delete_reference(env, redirect_error_class_);
  napi_create_reference(env, ctor, 1, &redirect_error_class_);
}

void EnvContext::finalize(napi_env env, void* data, void*) {
  auto* ctx = static_cast<EnvContext*>(data);
  if (ctx->redirect_error_class_ != nullptr) napi_delete_reference(env, ctx->redirect_error_class_);
  delete ctx;
}

void EnvContext::cleanup(void*) {
  // The environment's thread may exit right after this; a thread that exits registered corrupts
  // later grace periods. Finalizers that run later register again lazily (and the thread's
  // exit guard unregisters it for good).
  rt::rcu::unregister_current_thread();
}

}  // namespace rt::napi

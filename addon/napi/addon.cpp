// Module entry: one EnvContext per environment (main thread, each worker), then the bindings.
#include <napi.h>

#include <string>
#include <utility>

#include "device.hpp"
#include "device_binding.hpp"
#include "env_context.hpp"
#include "namespace.hpp"
#include "namespace_binding.hpp"
#include "errors.hpp"
#include "rcu.hpp"
#include "table_binding.hpp"
#include "thread_slot.hpp"

namespace rt::napi {
namespace {

// The floor of a native call from JS, for the benchmarks.
napi_value noop(napi_env, napi_callback_info) { return nullptr; }

// The floor of a call that reads one number argument and returns one, as get() does.
napi_value echo(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  double value = 0;
  napi_get_value_double(env, argv[0], &value);
  napi_value result;
  napi_create_int32(env, static_cast<int32_t>(value), &result);
  return result;
}

// registeredThreadCount(): threads registered with liburcu by us right now (internal, for the
// tests that look for registration leaks).
napi_value registered_thread_count(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int64(env, rt::rcu::registered_thread_count(), &result);
  return result;
}

// liveThreadSlots(): per-thread counter slots taken by live threads (internal, for the tests
// that check slots are returned when threads exit).
napi_value live_thread_slots(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_uint32(env, rt::live_thread_slots(), &result);
  return result;
}

// liveObjects(): { devices, namespaces } allocated and not yet freed (internal, for leak checks:
// the soak run and tests).
napi_value live_objects(napi_env env, napi_callback_info) {
  napi_value result, devices, namespaces;
  napi_create_object(env, &result);
  napi_create_int64(env, rt::Device::live_count(), &devices);
  napi_create_int64(env, rt::Namespace::live_count(), &namespaces);
  napi_set_named_property(env, result, "devices", devices);
  napi_set_named_property(env, result, "namespaces", namespaces);
  return result;
}

// setHooks({ RedirectError, scheduleFlush, dispatchTrace }): lib/ registers its functions.
Napi::Value SetHooks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const std::pair<const char*, JsHook> kHooks[] = {{"RedirectError", JsHook::RedirectErrorClass},
                                                          {"scheduleFlush", JsHook::ScheduleFlush},
                                                          {"dispatchTrace", JsHook::TraceDispatcher}};
  if (!info[0].IsObject()) {
    throw_type_error(env, "The \"hooks\" argument must be of type object");
    return Napi::Value(env, nullptr);
  }
  Napi::Object hooks = info[0].As<Napi::Object>();
  for (const auto& [name, which] : kHooks) {
    Napi::Value fn = hooks.Get(name);
    if (!fn.IsFunction()) {
      throw_type_error(env, std::string("The \"hooks.") + name + "\" property must be a function");
      return Napi::Value(env, nullptr);
    }
    EnvContext::of(env)->set_hook(env, which, fn);
  }
  return env.Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (EnvContext::install(env) == nullptr) return exports;
  exports.Set("setHooks", Napi::Function::New(env, SetHooks, "setHooks"));
  napi_value fn;
  napi_create_function(env, "noop", NAPI_AUTO_LENGTH, noop, nullptr, &fn);
  exports.Set("noop", fn);
  napi_create_function(env, "echo", NAPI_AUTO_LENGTH, echo, nullptr, &fn);
  exports.Set("echo", fn);
  napi_create_function(env, "registeredThreadCount", NAPI_AUTO_LENGTH, registered_thread_count, nullptr, &fn);
  exports.Set("registeredThreadCount", fn);
  napi_create_function(env, "liveThreadSlots", NAPI_AUTO_LENGTH, live_thread_slots, nullptr, &fn);
  exports.Set("liveThreadSlots", fn);
  napi_create_function(env, "liveObjects", NAPI_AUTO_LENGTH, live_objects, nullptr, &fn);
  exports.Set("liveObjects", fn);
  init_table_binding(env, exports);
  init_namespace_binding(env, exports);
  init_device_binding(env, exports);
  return exports;
}

}  // namespace rt::napi

static Napi::Object InitRedirectTable(Napi::Env env, Napi::Object exports) { return rt::napi::Init(env, exports); }

NODE_API_MODULE(redirect_table, InitRedirectTable)

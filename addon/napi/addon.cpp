// Module entry: one EnvContext per environment (main thread, each worker), then the bindings.
#include <napi.h>

#include "device_binding.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "table_binding.hpp"

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

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    throw_type_error(info.Env(), "The \"RedirectError\" argument must be a class");
    return Napi::Value(info.Env(), nullptr);
  }
  EnvContext::of(info.Env())->set_redirect_error_class(info.Env(), info[0]);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (EnvContext::install(env) == nullptr) return exports;
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  napi_value fn;
  napi_create_function(env, "noop", NAPI_AUTO_LENGTH, noop, nullptr, &fn);
  exports.Set("noop", fn);
  napi_create_function(env, "echo", NAPI_AUTO_LENGTH, echo, nullptr, &fn);
  exports.Set("echo", fn);
  init_table_binding(env, exports);
  init_device_binding(env, exports);
  return exports;
}

}  // namespace rt::napi

static Napi::Object InitRedirectTable(Napi::Env env, Napi::Object exports) { return rt::napi::Init(env, exports); }

NODE_API_MODULE(redirect_table, InitRedirectTable)

#include "js.hpp"

namespace rt::napi {

napi_value js_undefined(napi_env env) {
  napi_value result;
  return napi_get_undefined(env, &result) == napi_ok ? result : nullptr;
}

napi_value js_bool(napi_env env, bool value) {
  napi_value result;
  return napi_get_boolean(env, value, &result) == napi_ok ? result : nullptr;
}

napi_value js_number(napi_env env, double value) {
  napi_value result;
  return napi_create_double(env, value, &result) == napi_ok ? result : nullptr;
}

napi_value js_int32(napi_env env, int32_t value) {
  napi_value result;
  return napi_create_int32(env, value, &result) == napi_ok ? result : nullptr;
}

napi_value js_uint32(napi_env env, uint32_t value) {
  napi_value result;
  return napi_create_uint32(env, value, &result) == napi_ok ? result : nullptr;
}

napi_value js_string(napi_env env, std::string_view value) {
  napi_value result;
  return napi_create_string_utf8(env, value.data(), value.size(), &result) == napi_ok ? result : nullptr;
}

bool read_args(napi_env env, napi_callback_info info, size_t count, napi_value* argv, void** data) {
  size_t argc = count;
  return napi_get_cb_info(env, info, &argc, argv, nullptr, data) == napi_ok;
}

JsObject::JsObject(napi_env env) : env_(env), ok_(napi_create_object(env, &object_) == napi_ok) {}

JsObject& JsObject::set(const char* name, napi_value value) {
  ok_ = ok_ && value != nullptr && napi_set_named_property(env_, object_, name, value) == napi_ok;
  return *this;
}

JsArray::JsArray(napi_env env, size_t length)
    : env_(env), ok_(length <= UINT32_MAX && napi_create_array_with_length(env, length, &array_) == napi_ok) {}

JsArray& JsArray::push(napi_value value) {
  ok_ = ok_ && value != nullptr && napi_set_element(env_, array_, next_++, value) == napi_ok;
  return *this;
}

bool add_function(napi_env env, napi_value target, const char* name, napi_callback fn, void* data) {
  napi_value function;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, data, &function) == napi_ok &&
         napi_set_named_property(env, target, name, function) == napi_ok;
}

}  // namespace rt::napi

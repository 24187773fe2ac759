#include "js.hpp"

namespace rt::napi {

napi_value js_string(napi_env env, std::string_view value) {
  napi_value result;
  return napi_create_string_utf8(env, value.data(), value.size(), &result) == napi_ok ? result : nullptr;
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

ExternalBuffer make_external_buffer(napi_env env, void* data, size_t bytes, napi_finalize finalize, void* hint,
                                    napi_value* out) {
  napi_status status = napi_create_external_arraybuffer(env, data, bytes, finalize, hint, out);
  if (status == napi_ok) return ExternalBuffer::Made;
  napi_value ignored;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &ignored);
  return status == napi_no_external_buffers_allowed ? ExternalBuffer::Refused : ExternalBuffer::Failed;
}

}  // namespace rt::napi

// Handles JS holds on reference-counted core objects (namespaces, devices): an external that owns
// one reference, released by its finalizer, and type-tagged so that a foreign value passed where
// a handle is expected is rejected with a TypeError instead of dereferenced.
#pragma once

#include <node_api.h>

#include "errors.hpp"

namespace rt::napi {

// Takes over the caller's reference on `object` (released at once when no handle can be made).
template <typename T>
napi_value wrap_tagged(napi_env env, T* object, const napi_type_tag& tag) {
  napi_value external;
  auto finalize = [](napi_env, void* data, void*) { static_cast<T*>(data)->release(); };
  if (napi_create_external(env, object, finalize, nullptr, &external) != napi_ok) {
    object->release();  // no handle will ever release it
    return nullptr;
  }
  // Once created, the external owns the reference (its finalizer releases it).
  if (napi_type_tag_object(env, external, &tag) != napi_ok) return nullptr;
  return external;
}

// The object of a handle wrap_tagged made with `tag`, or nullptr with a TypeError pending that
// says `message`.
template <typename T>
T* unwrap_tagged(napi_env env, napi_value value, const napi_type_tag& tag, const char* message) {
  bool tagged = false;
  void* data = nullptr;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok) {
    throw_type_error(env, message);
    return nullptr;
  }
  return static_cast<T*>(data);
}

}  // namespace rt::napi

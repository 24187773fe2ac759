// Checked Node-API: small helpers that build JS values and never abort.
//
// Every Node-API call can fail: with an exception pending (a getter threw, V8 refused), or
// because the environment is being torn down (worker.terminate(), process.exit()), when no JS
// may run and nothing can be thrown. A callback that sees a failure returns nullptr at once and
// leaves whatever exception is pending; it never throws on top of one and never treats the
// failure as fatal (docs/design.md, "Calls that never take the process down").
//
// Each helper returns nullptr (or false) on failure; builders remember the first failure.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rt::napi {

// Inline: the hot bindings (get, redirect, ...) use them on every call.
inline napi_value js_undefined(napi_env env) {
  napi_value result;
  return napi_get_undefined(env, &result) == napi_ok ? result : nullptr;
}

inline napi_value js_bool(napi_env env, bool value) {
  napi_value result;
  return napi_get_boolean(env, value, &result) == napi_ok ? result : nullptr;
}

inline napi_value js_number(napi_env env, double value) {
  napi_value result;
  return napi_create_double(env, value, &result) == napi_ok ? result : nullptr;
}

inline napi_value js_int32(napi_env env, int32_t value) {
  napi_value result;
  return napi_create_int32(env, value, &result) == napi_ok ? result : nullptr;
}

inline napi_value js_uint32(napi_env env, uint32_t value) {
  napi_value result;
  return napi_create_uint32(env, value, &result) == napi_ok ? result : nullptr;
}

napi_value js_string(napi_env env, std::string_view value);

// The callback's arguments (missing ones read as undefined) and its data pointer.
// False only if Node-API refused.
inline bool read_args(napi_env env, napi_callback_info info, size_t count, napi_value* argv, void** data = nullptr) {
  size_t argc = count;
  return napi_get_cb_info(env, info, &argc, argv, nullptr, data) == napi_ok;
}

// A JS object filled field by field; done() is the object, or nullptr if any step failed.
class JsObject {
 public:
  explicit JsObject(napi_env env);
  // Fills an object made elsewhere (nullptr: a failure already happened).
  JsObject(napi_env env, napi_value object) : env_(env), object_(object), ok_(object != nullptr) {}
  JsObject& set(const char* name, napi_value value);
  JsObject& number(const char* name, double value) { return set(name, js_number(env_, value)); }
  JsObject& string(const char* name, std::string_view value) { return set(name, js_string(env_, value)); }
  JsObject& boolean(const char* name, bool value) { return set(name, js_bool(env_, value)); }
  napi_value done() const { return ok_ ? object_ : nullptr; }

 private:
  napi_env env_;
  napi_value object_ = nullptr;
  bool ok_;
};

// A JS array of `length` elements filled in order; done() is the array, or nullptr.
class JsArray {
 public:
  JsArray(napi_env env, size_t length);
  JsArray& push(napi_value value);
  napi_value done() const { return ok_ ? array_ : nullptr; }

 private:
  napi_env env_;
  napi_value array_ = nullptr;
  uint32_t next_ = 0;
  bool ok_;
};

// Adds `fn` as a function property `name` of `target` (with `data` as its callback data).
bool add_function(napi_env env, napi_value target, const char* name, napi_callback fn, void* data = nullptr);

// A named native function, for tables of exports.
struct JsFunction {
  const char* name;
  napi_callback callback;
};

// Adds every function of `functions` to `target`; false at the first failure.
template <size_t N>
bool add_functions(napi_env env, napi_value target, const JsFunction (&functions)[N]) {
  for (const JsFunction& function : functions) {
    if (!add_function(env, target, function.name, function.callback)) return false;
  }
  return true;
}

// An ArrayBuffer over native memory, owned through `finalize` (called with `hint` when the
// buffer is collected). Made: *out is the buffer. Refused: the runtime refuses external
// buffers (V8 sandbox builds) and nothing was made: `hint` is still the caller's to undo.
// Failed: anything else; Node has called (or will call) `finalize`, which owns the hint: undoing
// it would free it twice. No exception is left pending in either failure.
enum class ExternalBuffer { Made, Refused, Failed };
ExternalBuffer make_external_buffer(napi_env env, void* data, size_t bytes, napi_finalize finalize, void* hint,
                                    napi_value* out);

}  // namespace rt::napi

#include "args.hpp"

#include <cstdio>
#include <vector>

namespace rt::napi {

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

bool reject_integer(napi_env env, napi_value value, const char* what, double min, double max) {
  double ignored;
  if (to_integer(env, value, what, min, max, &ignored)) {
    throw_range_error(env, std::string("The \"") + what + "\" argument is out of range");  // unreachable
  }
  return false;
}

bool to_string(napi_env env, napi_value value, const char* what, std::string* out) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) {
    throw_type_error(env, std::string("The \"") + what + "\" argument must be of type string");
    return false;
  }
  std::vector<char> buffer(length + 1);
  napi_get_value_string_utf8(env, value, buffer.data(), buffer.size(), &length);
  out->assign(buffer.data(), length);
  return true;
}

bool to_typed_array(napi_env env, napi_value value, const char* what, const napi_typedarray_type* accepted,
                    size_t accepted_count, const char* expected, TypedArrayView* out, napi_typedarray_type* type) {
  bool is_typed_array = false;
  napi_is_typedarray(env, value, &is_typed_array);
  napi_typedarray_type actual;
  napi_value buffer;
  size_t offset;
  bool ok = is_typed_array &&
            napi_get_typedarray_info(env, value, &actual, &out->length, &out->data, &buffer, &offset) == napi_ok;
  if (ok) {
    ok = false;
    for (size_t i = 0; i < accepted_count; ++i) ok = ok || actual == accepted[i];
  }
  if (!ok) {
    throw_type_error(env, std::string("The \"") + what + "\" argument must be an instance of " + expected);
    return false;
  }
  if (out->length == 0) {
    bool detached = false;
    napi_is_detached_arraybuffer(env, buffer, &detached);
    if (detached) {
      throw_type_error(env, std::string("The \"") + what + "\" argument is backed by a detached ArrayBuffer");
      return false;
    }
  }
  if (type != nullptr) *type = actual;
  return true;
}

}  // namespace rt::napi

#include "args.hpp"

#include <cerrno>
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
  size_t units = 0;
  if (napi_get_value_string_utf16(env, value, nullptr, 0, &units) != napi_ok) {
    throw_type_error(env, std::string("The \"") + what + "\" argument must be of type string");
    return false;
  }
  if (units > kMaxStringUnits) {
    throw_redirect_error(env, -EINVAL, std::string("the \"") + what + "\" argument is too long (" +
                                           std::to_string(units) + " UTF-16 code units)");
    return false;
  }
  // Names must be well-formed Unicode: a lone surrogate would read back as U+FFFD, so two
  // different strings would name one device.
  char16_t text[kMaxStringUnits + 1];
  size_t copied = 0;
  if (napi_get_value_string_utf16(env, value, text, units + 1, &copied) != napi_ok) return false;
  for (size_t i = 0; i < copied; ++i) {
    const char16_t unit = text[i];
    const bool high = unit >= 0xD800 && unit <= 0xDBFF, low = unit >= 0xDC00 && unit <= 0xDFFF;
    if (high && i + 1 < copied && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      ++i;  // a well-formed pair
    } else if (high || low) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "%04X", static_cast<unsigned>(unit));
      throw_redirect_error(env, -EINVAL, std::string("the \"") + what + "\" argument is not well-formed Unicode (lone surrogate U+" + hex +
                                             " at index " + std::to_string(i) + ")");
      return false;
    }
  }
  char utf8[kMaxStringUnits * 3 + 1];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, utf8, sizeof(utf8), &length) != napi_ok) return false;
  out->assign(utf8, length);
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

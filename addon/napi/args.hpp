// Argument checks for the bindings. Each returns false with a TypeError/RangeError pending.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "errors.hpp"
#include "read_once.hpp"

namespace rt::napi {

// JS-like rendering of a number for messages: 3, -1, 1.5, NaN, Infinity.
std::string format_number(double value);

// A number that is an integer in [min, max]; `what` names the argument in messages.
inline bool to_integer(napi_env env, napi_value value, const char* what, double min, double max, double* out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    throw_type_error(env, std::string("The \"") + what + "\" argument must be of type number");
    return false;
  }
  if (!(d >= min && d <= max) || d != std::floor(d)) {
    throw_range_error(env, std::string("The \"") + what + "\" argument must be an integer >= " +
                               std::to_string(static_cast<long long>(min)) + " and <= " +
                               std::to_string(static_cast<long long>(max)) + ". Received " + format_number(d));
    return false;
  }
  *out = d;
  return true;
}

// Throws the TypeError/RangeError that to_integer would for `value`; always returns false.
[[gnu::cold]] bool reject_integer(napi_env env, napi_value value, const char* what, double min, double max);

// Hot-path forms: one N-API call and two compares when the value is fine.
inline bool to_u32(napi_env env, napi_value value, const char* what, uint32_t* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= 0 && d <= 4294967295.0) {
    auto u = static_cast<uint32_t>(d);
    if (static_cast<double>(u) == d) {
      *out = u;
      return true;
    }
  }
  *out = 0;
  return reject_integer(env, value, what, 0, 4294967295.0);
}

// A count from 0 to `max` (hot path: one N-API call and three compares when the value is fine).
inline bool to_count(napi_env env, napi_value value, const char* what, uint32_t max, uint32_t* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= 0 && d <= max) {
    auto u = static_cast<uint32_t>(d);
    if (static_cast<double>(u) == d) {
      *out = u;
      return true;
    }
  }
  *out = 0;
  return reject_integer(env, value, what, 0, max);
}

// ifindexes are positive int32; 0 is accepted (and names no device).
inline bool to_ifindex(napi_env env, napi_value value, int* out) {
  double d;
  if (napi_get_value_double(env, value, &d) == napi_ok && d >= 0 && d <= 2147483647.0) {
    auto i = static_cast<int>(d);
    if (static_cast<double>(i) == d) {
      *out = i;
      return true;
    }
  }
  *out = 0;
  return reject_integer(env, value, "ifindex", 0, 2147483647.0);
}

inline bool to_bool(napi_env env, napi_value value, const char* what, bool* out) {
  if (napi_get_value_bool(env, value, out) != napi_ok) {
    throw_type_error(env, std::string("The \"") + what + "\" argument must be of type boolean");
    return false;
  }
  return true;
}

// Strings the package takes (names, kinds) are short: longer ones are refused with EINVAL.
constexpr size_t kMaxStringUnits = 1024;

// A string of well-formed Unicode, as UTF-8: TypeError for a non-string, RedirectError EINVAL
// for a lone surrogate or more than kMaxStringUnits UTF-16 code units.
bool to_string(napi_env env, napi_value value, const char* what, std::string* out);

struct TypedArrayView {
  void* data;
  size_t length;
};

// A typed array of exactly one of the accepted element types (napi_uint32_array, ...).
// `accepted` lists them; `expected` names them for the message (e.g. "Uint32Array").
bool to_typed_array(napi_env env, napi_value value, const char* what, const napi_typedarray_type* accepted,
                    size_t accepted_count, const char* expected, TypedArrayView* out,
                    napi_typedarray_type* type = nullptr);

inline bool to_u32_array(napi_env env, napi_value value, const char* what, TypedArrayView* out) {
  static const napi_typedarray_type kAccepted[] = {napi_uint32_array};
  return to_typed_array(env, value, what, kAccepted, 1, "Uint32Array", out);
}

inline bool to_i32_array(napi_env env, napi_value value, const char* what, TypedArrayView* out) {
  static const napi_typedarray_type kAccepted[] = {napi_int32_array};
  return to_typed_array(env, value, what, kAccepted, 1, "Int32Array", out);
}

}  // namespace rt::napi

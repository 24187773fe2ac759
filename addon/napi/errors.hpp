// Turning core error codes and bad arguments into JS exceptions.
//   - core errors (negative errno): RedirectError with code 'ENODEV' etc. (class from lib/);
//   - wrong types: TypeError, code ERR_INVALID_ARG_TYPE;
//   - out-of-range or malformed values: RangeError, code ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE.
// Every function throws (sets the pending exception) and returns nullptr for a callback to return.
#pragma once

#include <node_api.h>

#include <string>

namespace rt::napi {

// 'ENODEV' for -ENODEV (or ENODEV); 'EUNKNOWN' for codes the package never returns.
const char* errno_name(int err);

// Builds (does not throw) a RedirectError for a negative errno with a message.
napi_value make_redirect_error(napi_env env, int err, const std::string& message);

napi_value throw_redirect_error(napi_env env, int err, const std::string& message);
napi_value throw_type_error(napi_env env, const std::string& message);
napi_value throw_range_error(napi_env env, const std::string& message);
napi_value throw_invalid_value(napi_env env, const std::string& message);

}  // namespace rt::napi

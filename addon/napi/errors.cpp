#include "errors.hpp"

#include <cerrno>
#include <cstdlib>

#include "env_context.hpp"
#include "js.hpp"

namespace rt::napi {

namespace {

// Whether an exception may be thrown now: none is pending already. When the environment is
// terminating, the throw itself fails and is ignored (nothing can observe it).
bool can_throw(napi_env env) {
  bool pending = false;
  return napi_is_exception_pending(env, &pending) == napi_ok && !pending;
}

// Sets `code` on a freshly made error (TypeError/RangeError) and throws it.
void throw_with_code(napi_env env, napi_status (*make)(napi_env, napi_value, napi_value, napi_value*), const char* code,
                     const std::string& message) {
  if (!can_throw(env)) return;
  napi_value js_code = js_string(env, code), js_message = js_string(env, message), error;
  if (js_code == nullptr || js_message == nullptr || make(env, js_code, js_message, &error) != napi_ok) return;
  napi_throw(env, error);
}

}  // namespace

const char* errno_name(int err) {
  switch (std::abs(err)) {
    case EINVAL: return "EINVAL";
    case E2BIG: return "E2BIG";
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case ENETDOWN: return "ENETDOWN";
    case EMSGSIZE: return "EMSGSIZE";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    default: return "EUNKNOWN";
  }
}

napi_value make_redirect_error(napi_env env, int err, const std::string& message) {
  const char* code = errno_name(err);
  napi_value argv[2] = {js_string(env, code), js_string(env, std::string(code) + ": " + message)};
  if (argv[0] == nullptr || argv[1] == nullptr) return nullptr;
  EnvContext* ctx = EnvContext::of(env);
  napi_value ctor = ctx != nullptr ? ctx->redirect_error_class(env) : nullptr;
  napi_value error = nullptr;
  if (ctor != nullptr) {
    // Whatever stops the constructor stays pending and propagates: above all the termination
    // of a worker, which running the constructor may deliver. Clearing it would cancel the
    // termination, and the worker would run on with no JS allowed (worker.terminate() never
    // completes).
    return napi_new_instance(env, ctor, 2, argv, &error) == napi_ok ? error : nullptr;
  }
  // lib/ not loaded: a plain Error that still carries the code.
  return napi_create_error(env, argv[0], argv[1], &error) == napi_ok ? error : nullptr;
}

napi_value throw_redirect_error(napi_env env, int err, const std::string& message) {
  if (!can_throw(env)) return nullptr;
  napi_value error = make_redirect_error(env, err, message);
  if (error != nullptr) napi_throw(env, error);
  return nullptr;
}

napi_value throw_type_error(napi_env env, const std::string& message) {
  throw_with_code(env, napi_create_type_error, "ERR_INVALID_ARG_TYPE", message);
  return nullptr;
}

napi_value throw_range_error(napi_env env, const std::string& message) {
  throw_with_code(env, napi_create_range_error, "ERR_OUT_OF_RANGE", message);
  return nullptr;
}

napi_value throw_invalid_value(napi_env env, const std::string& message) {
  throw_with_code(env, napi_create_range_error, "ERR_INVALID_ARG_VALUE", message);
  return nullptr;
}

}  // namespace rt::napi

#include "errors.hpp"

#include <cerrno>
#include <cstdlib>

#include "env_context.hpp"

namespace rt::napi {

const char* errno_name(int err) {
  switch (std::abs(err)) {
    case EINVAL: return "EINVAL";
    case E2BIG: return "E2BIG";
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENETDOWN: return "ENETDOWN";
    case EMSGSIZE: return "EMSGSIZE";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    default: return "EUNKNOWN";
  }
}

napi_value make_redirect_error(napi_env env, int err, const std::string& message) {
  const char* code = errno_name(err);
  std::string text = std::string(code) + ": " + message;
  napi_value argv[2];
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &argv[0]);
  napi_create_string_utf8(env, text.c_str(), text.size(), &argv[1]);
  EnvContext* ctx = EnvContext::of(env);
  napi_value ctor = ctx != nullptr ? ctx->redirect_error_class(env) : nullptr;
  napi_value error = nullptr;
  if (ctor == nullptr || napi_new_instance(env, ctor, 2, argv, &error) != napi_ok) {
    // lib/ not loaded (or the class threw): a plain Error that still carries the code.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    napi_create_error(env, argv[0], argv[1], &error);
  }
  return error;
}

napi_value throw_redirect_error(napi_env env, int err, const std::string& message) {
  napi_throw(env, make_redirect_error(env, err, message));
  return nullptr;
}

napi_value throw_type_error(napi_env env, const std::string& message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message.c_str());
  return nullptr;
}

napi_value throw_range_error(napi_env env, const std::string& message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message.c_str());
  return nullptr;
}

napi_value throw_invalid_value(napi_env env, const std::string& message) {
  napi_throw_range_error(env, "ERR_INVALID_ARG_VALUE", message.c_str());
  return nullptr;
}

}  // namespace rt::napi

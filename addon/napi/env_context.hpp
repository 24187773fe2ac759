// Per-environment state (main thread and each worker have their own): the RedirectError class
// registered by lib/, and the completer that settles Promises.
#pragma once

#include <node_api.h>

#include <memory>

#include "completer.hpp"

namespace rt::napi {

class EnvContext {
 public:
  // Creates the context for `env`, sets it as instance data and registers the cleanup hook that
  // unregisters the thread from urcu when the environment is torn down.
  static EnvContext* install(napi_env env);
  static EnvContext* of(napi_env env);

  napi_value redirect_error_class(napi_env env) const;
  void set_redirect_error_class(napi_env env, napi_value ctor);
  Completer& completer() { return *completer_; }

 private:
  static void finalize(napi_env env, void* data, void* hint);
  static void cleanup(void* arg);

  std::shared_ptr<Completer> completer_;
  napi_ref redirect_error_class_ = nullptr;
};

}  // namespace rt::napi

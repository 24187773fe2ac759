// Bindings of namespaces: handles are tagged externals holding a namespace reference.
#pragma once

#include <napi.h>

#include "namespace.hpp"

namespace rt::napi {

// Takes over the caller's reference.
napi_value wrap_namespace(napi_env env, Namespace* ns);
// The namespace of a handle, or nullptr with a TypeError pending.
Namespace* unwrap_namespace(napi_env env, napi_value value);

// Adds createNamespace, openNamespace, listNamespaces, namespaceInfo, destroyNamespace.
void init_namespace_binding(Napi::Env env, Napi::Object exports);

}  // namespace rt::napi

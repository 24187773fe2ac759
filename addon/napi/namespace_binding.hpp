// Bindings of namespaces: handles are tagged externals holding a namespace reference.
#pragma once

#include <node_api.h>

#include "namespace.hpp"

namespace rt::napi {

// Takes over the caller's reference (releasing it when no handle can be made).
napi_value wrap_namespace(napi_env env, Namespace* ns);
// The namespace of a handle, or nullptr with a TypeError pending.
Namespace* unwrap_namespace(napi_env env, napi_value value);

// Adds createNamespace, openNamespace, listNamespaces, namespaceInfo, destroyNamespace.
bool init_namespace_binding(napi_env env, napi_value exports);

}  // namespace rt::napi

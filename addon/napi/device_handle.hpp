// Device handles as JS sees them: tagged externals, each holding one lifetime reference on its
// device (never a usage reference, so a handle never delays unregistration).
#pragma once

#include <node_api.h>

#include <cstddef>

#include "device.hpp"
#include "js.hpp"

namespace rt::napi {

// Takes over the caller's lifetime reference (released at once when no handle can be made).
napi_value wrap_device(napi_env env, Device* dev);
// The device of a handle, or nullptr with a TypeError pending.
Device* unwrap_device(napi_env env, napi_value value);

// Reads N arguments, the first of which must be a device handle.
template <std::size_t N>
inline Device* device_args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  if (!read_args(env, info, N, argv)) return nullptr;
  return unwrap_device(env, argv[0]);
}


}  // namespace rt::napi

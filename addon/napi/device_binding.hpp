// Bindings of devices' control plane (not hot); handles are device_handle.hpp.
#pragma once

#include <node_api.h>

namespace rt::napi {

// Adds createDevice, createVethPair, createUpper, createTunnel, findDevice, listDevices and the
// device* functions (readers, setUp/setMtu, moveTo, unregister); the ring's are
// device_ring_binding.hpp.
bool init_device_binding(napi_env env, napi_value exports);

}  // namespace rt::napi

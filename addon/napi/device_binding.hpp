// Bindings of devices (control plane, not hot): device handles are tagged externals holding a
// lifetime reference (never a usage reference, so they never delay unregistration).
#pragma once

#include <node_api.h>

namespace rt::napi {

// Adds createDevice, createVethPair, createUpper, createTunnel, findDevice, listDevices and the
// device* functions (readers, setUp/setMtu, moveTo, unregister, receive, transmit fault).
bool init_device_binding(napi_env env, napi_value exports);

}  // namespace rt::napi

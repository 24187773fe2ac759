// Bindings of a device's ring: deviceReceive, deviceReceiveCapacity, deviceReadable and
// deviceSetTransmitFault (docs/design.md, "Consumer wake-ups").
#pragma once

#include <node_api.h>

namespace rt::napi {

bool init_device_ring_binding(napi_env env, napi_value exports);

}  // namespace rt::napi

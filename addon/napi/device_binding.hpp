// Bindings of namespaces and devices (control plane, not hot): device handles are externals
// holding a lifetime reference (never a usage reference, so they never delay unregistration).
#pragma once

#include <napi.h>

namespace rt::napi {

// Adds createDevice, findDevice, listDevices and the device* functions.
void init_device_binding(Napi::Env env, Napi::Object exports);

}  // namespace rt::napi

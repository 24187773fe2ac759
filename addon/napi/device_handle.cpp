// Device handles: tagged externals holding one lifetime reference on their device (never a usage
// reference, so a handle never delays unregistration), released by the finalizer.
#include "device_handle.hpp"

#include "tagged_handle.hpp"

namespace rt::napi {

namespace {

// Tags our externals so a foreign value is rejected instead of dereferenced.
constexpr napi_type_tag kDeviceTag = {0x7c1a4f0e2b9d4c61ull, 0x93e5d2a8b04f6c17ull};

}  // namespace

napi_value wrap_device(napi_env env, Device* dev) { return wrap_tagged(env, dev, kDeviceTag); }

Device* unwrap_device(napi_env env, napi_value value) {
  return unwrap_tagged<Device>(env, value, kDeviceTag, "The \"device\" argument must be a device handle");
}

}  // namespace rt::napi

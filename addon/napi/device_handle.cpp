// Device handles: tagged externals holding one lifetime reference on their device (never a usage
// reference, so a handle never delays unregistration), released by the finalizer.
#include "device_handle.hpp"

#include "errors.hpp"

namespace rt::napi {

namespace {

// Tags our externals so a foreign value is rejected instead of dereferenced.
constexpr napi_type_tag kDeviceTag = {0x7c1a4f0e2b9d4c61ull, 0x93e5d2a8b04f6c17ull};

void finalize_device(napi_env, void* data, void*) { static_cast<Device*>(data)->release(); }

}  // namespace

napi_value wrap_device(napi_env env, Device* dev) {
  napi_value external;
  if (napi_create_external(env, dev, finalize_device, nullptr, &external) != napi_ok) {
    dev->release();
    return nullptr;
  }
  if (napi_type_tag_object(env, external, &kDeviceTag) != napi_ok) return nullptr;  // the external owns it
  return external;
}

Device* unwrap_device(napi_env env, napi_value value) {
  bool tagged = false;
  void* data = nullptr;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &kDeviceTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok) {
    throw_type_error(env, "The \"device\" argument must be a device handle");
    return nullptr;
  }
  return static_cast<Device*>(data);
}

}  // namespace rt::napi

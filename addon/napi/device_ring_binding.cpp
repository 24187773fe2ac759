// Bindings of a device's ring, the consumer's side of a device: frames received, waits for
// frames (readable.hpp) and the transmit fault tests inject.
#include "device_ring_binding.hpp"

#include <algorithm>
#include <cstdint>

#include "args.hpp"
#include "device_handle.hpp"
#include "js.hpp"
#include "readable.hpp"

namespace rt::napi {

namespace {

// Reads (device, ids, lengths?) as deviceReceive takes them; *max is how many frames fit.
Device* receive_args(napi_env env, napi_callback_info info, TypedArrayView* ids, TypedArrayView* lengths, uint32_t* max) {
  napi_value argv[3];
  Device* dev = device_args(env, info, argv);
  napi_valuetype type;
  if (dev == nullptr || !to_u32_array(env, argv[1], "ids", ids) || napi_typeof(env, argv[2], &type) != napi_ok) {
    return nullptr;
  }
  const bool with_lengths = type != napi_undefined;
  if (with_lengths && !to_u32_array(env, argv[2], "lengths", lengths)) return nullptr;
  size_t fit = with_lengths ? std::min(ids->length, lengths->length) : ids->length;
  *max = static_cast<uint32_t>(std::min<size_t>(fit, UINT32_MAX));
  return dev;
}

// deviceReceive(device, ids, lengths?): frames copied out of the ring, oldest first.
napi_value device_receive(napi_env env, napi_callback_info info) {
  TypedArrayView ids, lengths{nullptr, 0};
  uint32_t max;
  Device* dev = receive_args(env, info, &ids, &lengths, &max);
  if (dev == nullptr) return nullptr;
  uint32_t n = dev->sink().receive(static_cast<uint32_t*>(ids.data), static_cast<uint32_t*>(lengths.data), max);
  return js_number(env, n);
}

// deviceReceiveCapacity(device, ids, lengths?): how many frames one deviceReceive with these
// arguments can copy; throws what deviceReceive throws. (dev.frames() checks its arguments.)
napi_value device_receive_capacity(napi_env env, napi_callback_info info) {
  TypedArrayView ids, lengths{nullptr, 0};
  uint32_t max;
  return receive_args(env, info, &ids, &lengths, &max) == nullptr ? nullptr : js_number(env, max);
}

// deviceReadable(device): undefined when frames wait or the device is released, else a Promise
// settled when either happens (readable.hpp).
napi_value device_readable(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Device* dev = device_args(env, info, argv);
  return dev == nullptr ? nullptr : readable_promise(env, dev);
}

// deviceSetTransmitFault(device, error: boolean, acceptAtMost: number | undefined)
napi_value device_set_transmit_fault(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Device* dev = device_args(env, info, argv);
  TransmitFault fault;
  napi_valuetype type;
  if (dev == nullptr || !to_bool(env, argv[1], "error", &fault.error) || napi_typeof(env, argv[2], &type) != napi_ok) {
    return nullptr;
  }
  if (type != napi_undefined && !to_u32(env, argv[2], "acceptAtMost", &fault.accept_at_most)) return nullptr;
  dev->sink().set_fault(fault);
  return js_undefined(env);
}

constexpr JsFunction kBindings[] = {
    {"deviceReceive", device_receive},
    {"deviceReceiveCapacity", device_receive_capacity},
    {"deviceReadable", device_readable},
    {"deviceSetTransmitFault", device_set_transmit_fault},
};

}  // namespace

bool init_device_ring_binding(napi_env env, napi_value exports) { return add_functions(env, exports, kBindings); }

}  // namespace rt::napi

// The JS view of an array table's slot memory: an Int32Array over the slots' 16-byte words, one
// per table per environment, through which lib/ reads a slot's ifindex (int32 index 4 * key + 2)
// without a native call (docs/design.md, "Zero-call get"). JS thread only.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "slots.hpp"

namespace rt::napi {

// The views an environment has made, so a second handle onto a table in the same environment
// reuses the first one's view while it lives. Owned by the EnvContext.
struct SlotViewCache {
  struct View {
    napi_ref ref;     // weak
    uint64_t serial;  // which view (a napi_ref's address may be reused once it is deleted)
  };
  std::unordered_map<SlotMemory*, View> views;
  uint64_t next_serial = 1;
};

// The view of `memory` for this environment, made on first use (it holds a reference on the
// memory until it is collected). nullptr, with no exception pending, when the runtime refuses
// external buffers (V8 sandbox builds), the memory is too large for one, or it cannot be made:
// lib/ then reads through the native call.
napi_value slot_view(napi_env env, const std::shared_ptr<SlotViewCache>& cache, SlotMemory* memory);

}  // namespace rt::napi

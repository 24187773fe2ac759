// submitQueue(capacity) of a table handle: a staging area of four arrays (keys, ids, lengths,
// verdicts) in one native block that JS fills through typed arrays bound to it once, and
// submit(n), which redirects the first n staged frames with no argument conversion beyond n
// (docs/design.md, "Staged submission").
//
// Lifetime: the block is shared by the arrays' ArrayBuffer and the submit function, each holding
// one reference; whichever is collected last frees it. A buffer transferred to another thread is
// finalized there, hence the atomic count. The submit function also counts as one of the handle's
// functions, so the handle outlives it.
#pragma once

#include <node_api.h>

#include <cstdint>

namespace rt::napi {

// The largest capacity of a submit queue (the addon exports it as constants.maxSubmitCapacity).
inline constexpr uint32_t kMaxSubmitCapacity = 1u << 20;

// submitQueue(capacity), a function of a table handle (datapath_binding.cpp lists it):
// { keys, ids, lengths, verdicts, submit }, or undefined when the runtime refuses external
// buffers (lib/ then stages in its own arrays). capacity in [1, kMaxSubmitCapacity].
napi_value table_submit_queue(napi_env env, napi_callback_info info);

}  // namespace rt::napi

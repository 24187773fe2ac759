#include "datapath_binding.hpp"

#include <cerrno>
#include <string>

#include "bulk_queues_binding.hpp"
#include "submit_queue.hpp"
#include "table_handle.hpp"

namespace rt::napi {

namespace {

// Checks the parallel frame arrays of redirect (keys, ids, lengths) or broadcast (ids, lengths).
bool read_frames(napi_env env, napi_value* argv, bool with_keys, TypedArrayView* keys, TypedArrayView* ids,
                 TypedArrayView* lengths) {
  size_t at = 0;
  if (with_keys && !to_u32_array(env, argv[at++], "keys", keys)) return false;
  if (!to_u32_array(env, argv[at++], "ids", ids) || !to_u32_array(env, argv[at++], "lengths", lengths)) return false;
  size_t n = with_keys ? keys->length : ids->length;
  if (ids->length != n || lengths->length != n) {
    throw_invalid_value(env, std::string(with_keys ? "keys, ids and lengths" : "ids and lengths") +
                                 " must have the same length. Received " +
                                 (with_keys ? std::to_string(keys->length) + ", " : std::string()) +
                                 std::to_string(ids->length) + " and " + std::to_string(lengths->length));
    return false;
  }
  return true;
}

// redirect(keys, ids, lengths, verdicts?): frames delivered.
napi_value table_redirect(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys, ids, lengths, verdicts{nullptr, 0};
  napi_valuetype type;
  if (handle == nullptr || !read_frames(env, argv, true, &keys, &ids, &lengths) ||
      napi_typeof(env, argv[3], &type) != napi_ok) {
    return nullptr;
  }
  if (type != napi_undefined) {
    if (!to_i32_array(env, argv[3], "verdicts", &verdicts)) return nullptr;
    if (verdicts.length < keys.length) {
      return throw_range_error(env, "The \"verdicts\" argument must have at least keys.length (" +
                                        std::to_string(keys.length) + ") elements. Received " +
                                        std::to_string(verdicts.length));
    }
  }
  long accepted = handle->table->redirect(static_cast<const uint32_t*>(keys.data), static_cast<const uint32_t*>(ids.data),
                                          static_cast<const uint32_t*>(lengths.data),
                                          static_cast<int32_t*>(verdicts.data), keys.length);
  if (accepted < 0) return throw_redirect_error(env, static_cast<int>(accepted), "redirect: out of memory; nothing was sent");
  return datapath_result(env, static_cast<size_t>(accepted));
}

// redirectOne(key, id, length): the verdict. The frame waits in this thread's bulk queue until
// flush(), a full queue, or the end of the current JS task: lib/ arranges flushThread() there
// before the call (lib/auto-flush.ts), so nothing here calls back into JS.
napi_value table_redirect_one(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  TableHandle* handle = open_handle(env, info, argv);
  uint32_t key, id, length;
  if (handle == nullptr || !to_u32(env, argv[0], "key", &key) || !to_u32(env, argv[1], "id", &id) ||
      !to_u32(env, argv[2], "length", &length)) {
    return nullptr;
  }
  bool opened = false;
  int verdict = handle->table->redirect_one(key, id, length, &opened);
  if (verdict == -ENOMEM) {
    return throw_redirect_error(env, -ENOMEM, "cannot allocate this thread's bulk queues; the frame was not sent");
  }
  if (!dispatch_trace(env)) return nullptr;
  return js_int32(env, verdict);
}

// flush(): transmits every frame this thread has queued and ends its per-frame section.
napi_value table_flush(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  return open_handle(env, info, argv) == nullptr ? nullptr : flush_current_thread(env);
}

// broadcast(ids, lengths, excludeIfindex): copies delivered.
napi_value table_broadcast(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView ids, lengths;
  int exclude;
  if (handle == nullptr || !read_frames(env, argv, false, nullptr, &ids, &lengths) ||
      !to_ifindex(env, argv[2], &exclude)) {
    return nullptr;
  }
  long accepted = handle->table->broadcast(static_cast<const uint32_t*>(ids.data),
                                           static_cast<const uint32_t*>(lengths.data), ids.length, exclude);
  if (accepted < 0) return throw_redirect_error(env, static_cast<int>(accepted), "broadcast: out of memory; nothing was sent");
  return datapath_result(env, static_cast<size_t>(accepted));
}

napi_value table_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  const auto& c = handle->table->counters();
  uint64_t bulks = c.sum(kBulks);
  return JsObject(env)
      .number("redirected", static_cast<double>(c.sum(kRedirected)))
      .number("misses", static_cast<double>(c.sum(kMisses)))
      .number("down", static_cast<double>(c.sum(kDown)))
      .number("tooBig", static_cast<double>(c.sum(kTooBig)))
      .number("noBufs", static_cast<double>(c.sum(kNoBufs)))
      .number("txErrors", static_cast<double>(c.sum(kTxErrors)))
      .number("flushes", static_cast<double>(c.sum(kFlushes)))
      .number("bulks", static_cast<double>(bulks))
      // Every frame that passed its verdict goes out in a bulk (those in an open per-frame
      // section at the next flush).
      .number("bulkAverage", bulks == 0 ? 0.0 : static_cast<double>(c.sum(kRedirected)) / static_cast<double>(bulks))
      .done();
}

constexpr JsFunction kBindings[] = {
    {"redirect", table_redirect},
    {"redirectOne", table_redirect_one},
    {"flush", table_flush},
    {"broadcast", table_broadcast},
    {"stats", table_stats},
    {"submitQueue", table_submit_queue},
};

}  // namespace

bool init_datapath_binding(napi_env env, napi_value handle_object, TableHandle* handle) {
  return add_handle_functions(env, handle_object, handle, kBindings);
}

}  // namespace rt::napi

#include "submit_queue.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc.hpp"
#include "bulk_queues_binding.hpp"
#include "memory_usage.hpp"
#include "table_handle.hpp"

namespace rt::napi {

namespace {

constexpr int kArrays = 4;  // keys, ids, lengths (u32) and verdicts (i32)

struct StagingArea {
  std::atomic<int> references{2};  // the ArrayBuffer and the submit function
  uint32_t capacity;
  void* block;

  size_t bytes() const { return size_t{capacity} * kArrays * sizeof(uint32_t); }
  uint32_t* column(int i) const { return static_cast<uint32_t*>(block) + size_t{capacity} * i; }

  void release() {
    if (references.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    alloc::free_zeroed(block, bytes());
    memory::freed(memory::kThreads, bytes());
    delete this;
  }
};

struct SubmitBinding {
  TableHandle* handle;
  StagingArea* area;
};

// REDIRECT_TABLE_EXTERNAL_BUFFERS=0 behaves as a runtime that refuses external buffers (V8
// sandbox builds), so that tests run lib/'s fallback on any Node.
bool external_buffers_disabled() {
  static const bool disabled = [] {
    const char* setting = std::getenv("REDIRECT_TABLE_EXTERNAL_BUFFERS");
    return setting != nullptr && std::strcmp(setting, "0") == 0;
  }();
  return disabled;
}

void finalize_buffer(napi_env, void*, void* hint) { static_cast<StagingArea*>(hint)->release(); }

void finalize_submit(napi_env, void* data, void*) {
  auto* binding = static_cast<SubmitBinding*>(data);
  binding->area->release();
  release_handle_function(binding->handle);
  delete binding;
}

// submit(n): frames delivered; verdicts[0..n) written.
napi_value submit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data = nullptr;
  if (!read_args(env, info, 1, argv, &data)) return nullptr;
  auto* binding = static_cast<SubmitBinding*>(data);
  Table* table = binding->handle->table;
  if (table == nullptr) {
    return throw_redirect_error(env, -EBADF, "table handle " + std::to_string(binding->handle->id) + " is closed");
  }
  const StagingArea& area = *binding->area;
  uint32_t n;
  if (!to_count(env, argv[0], "n", area.capacity, &n)) return nullptr;
  long delivered = table->redirect(area.column(0), area.column(1), area.column(2),
                                   reinterpret_cast<int32_t*>(area.column(3)), n);
  if (delivered < 0) return throw_redirect_error(env, static_cast<int>(delivered), "submit: out of memory; nothing was sent");
  return datapath_result(env, static_cast<size_t>(delivered));
}

napi_value typed_array(napi_env env, napi_typedarray_type type, const StagingArea& area, napi_value buffer, int column) {
  napi_value array = nullptr;
  napi_create_typedarray(env, type, area.capacity, buffer, size_t{area.capacity} * sizeof(uint32_t) * column, &array);
  return array;
}

}  // namespace

napi_value table_submit_queue(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  double capacity;
  if (handle == nullptr || !to_integer(env, argv[0], "capacity", 1, kMaxSubmitCapacity, &capacity)) return nullptr;
  if (external_buffers_disabled()) return js_undefined(env);
  auto* area = new (std::nothrow) StagingArea{};
  auto* binding = new (std::nothrow) SubmitBinding{handle, area};
  if (area != nullptr) {
    area->capacity = static_cast<uint32_t>(capacity);
    area->block = alloc::allocate_zeroed(area->bytes());
  }
  if (area == nullptr || binding == nullptr || area->block == nullptr) {
    if (area != nullptr && area->block != nullptr) alloc::free_zeroed(area->block, area->bytes());
    delete area;
    delete binding;
    return throw_redirect_error(env, -ENOMEM, "cannot allocate a submit queue of " + std::to_string(static_cast<uint32_t>(capacity)) + " frames");
  }
  memory::allocated(memory::kThreads, area->bytes());
  // The submit function first: from here its finalizer owns the binding and one reference.
  napi_value fn = nullptr;
  if (napi_create_function(env, "submit", NAPI_AUTO_LENGTH, submit, binding, &fn) != napi_ok ||
      napi_add_finalizer(env, fn, binding, finalize_submit, nullptr, nullptr) != napi_ok) {
    area->release();
    area->release();
    delete binding;
    return nullptr;
  }
  ++handle->live_functions;
  napi_value buffer = nullptr;
  switch (make_external_buffer(env, area->block, area->bytes(), finalize_buffer, area, &buffer)) {
    case ExternalBuffer::Made:
      break;
    case ExternalBuffer::Refused:  // the buffer's reference is ours to drop
      area->release();
      return js_undefined(env);
    case ExternalBuffer::Failed:  // the finalizer drops it
      return throw_redirect_error(env, -ENOMEM, "cannot make the submit queue's arrays");
  }
  return JsObject(env)
      .set("keys", typed_array(env, napi_uint32_array, *area, buffer, 0))
      .set("ids", typed_array(env, napi_uint32_array, *area, buffer, 1))
      .set("lengths", typed_array(env, napi_uint32_array, *area, buffer, 2))
      .set("verdicts", typed_array(env, napi_int32_array, *area, buffer, 3))
      .set("submit", fn)
      .done();
}

}  // namespace rt::napi

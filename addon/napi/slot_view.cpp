#include "slot_view.hpp"

#include <new>

#include "js.hpp"

namespace rt::napi {
namespace {

// What a view's finalizer needs: the memory it holds a reference on, and the cache to forget it
// in (gone when the environment's context was finalized first).
struct ViewHint {
  SlotMemory* memory;
  std::weak_ptr<SlotViewCache> cache;
  uint64_t serial = 0;  // its entry in the cache (a later view of the memory may replace it)
};

void finalize_view(napi_env env, void*, void* hint) {
  auto* view = static_cast<ViewHint*>(hint);
  if (auto cache = view->cache.lock()) {
    auto it = cache->views.find(view->memory);
    if (it != cache->views.end() && it->second.serial == view->serial) {
      napi_delete_reference(env, it->second.ref);
      cache->views.erase(it);
    }
  }
  view->memory->release();
  delete view;
}

napi_value cached(napi_env env, const SlotViewCache& cache, SlotMemory* memory) {
  auto it = cache.views.find(memory);
  napi_value view = nullptr;
  if (it == cache.views.end() || napi_get_reference_value(env, it->second.ref, &view) != napi_ok) return nullptr;
  return view;  // nullptr once collected (its finalizer has not run yet)
}

}  // namespace

// Buffers of every supported Node line hold at least 2^32 bytes (Node 20's limit): a table of
// more than 2^28 slots reads through the native call.
constexpr size_t kMaxViewBytes = size_t{1} << 32;

napi_value slot_view(napi_env env, const std::shared_ptr<SlotViewCache>& cache, SlotMemory* memory) {
  if (napi_value view = cached(env, *cache, memory)) return view;
  if (memory->bytes() > kMaxViewBytes) return nullptr;
  auto* hint = new (std::nothrow) ViewHint{memory, cache};
  if (hint == nullptr) return nullptr;
  memory->retain();
  napi_value buffer = nullptr;
  napi_value view = nullptr;
  const ExternalBuffer made = make_external_buffer(env, memory->slots(), memory->bytes(), finalize_view, hint, &buffer);
  if (made != ExternalBuffer::Made) {
    if (made == ExternalBuffer::Refused) {  // ours to undo; a failure's finalizer owns them
      memory->release();
      delete hint;
    }
    return nullptr;
  }
  // From here the buffer's finalizer owns the hint and the reference.
  if (napi_create_typedarray(env, napi_int32_array, memory->bytes() / sizeof(int32_t), buffer, 0, &view) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    return nullptr;
  }
  auto it = cache->views.find(memory);
  if (it != cache->views.end()) {  // a collected view whose finalizer has not run yet
    napi_delete_reference(env, it->second.ref);
    cache->views.erase(it);
  }
  napi_ref ref = nullptr;
  if (napi_create_reference(env, view, 0, &ref) == napi_ok) {
    try {
      const uint64_t serial = cache->next_serial++;
      cache->views.emplace(memory, SlotViewCache::View{ref, serial});
      hint->serial = serial;
    } catch (const std::bad_alloc&) {
      napi_delete_reference(env, ref);
    }
  }
  return view;
}

}  // namespace rt::napi

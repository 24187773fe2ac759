#include "completer.hpp"

#include <cerrno>
#include <new>

#include "errors.hpp"
#include "js.hpp"

namespace rt::napi {

std::shared_ptr<Completer> Completer::create(napi_env env) {
  std::shared_ptr<Completer> self;
  try {
    self = std::make_shared<Completer>();
  } catch (const std::bad_alloc&) {
  }
  napi_value name = js_string(env, "redirect-table:completion");
  // The function keeps its own reference to the completer; finalize() drops it.
  auto* keep = self ? new (std::nothrow) std::shared_ptr<Completer>(self) : nullptr;
  if (name == nullptr || keep == nullptr ||
      napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, keep, finalize, self.get(), call_js,
                                      &self->tsfn_) != napi_ok) {
    delete keep;
    throw_redirect_error(env, -ENOMEM, "cannot create the completion thread-safe function");
    return nullptr;
  }
  if (napi_unref_threadsafe_function(env, self->tsfn_) != napi_ok) return nullptr;
  self->alive_ = true;
  return self;
}

napi_value Completer::make_promise(napi_env env, Ticket** ticket) {
  napi_deferred deferred;
  napi_value promise;
  *ticket = new (std::nothrow) Ticket(shared_from_this(), nullptr);
  if (*ticket == nullptr) {
    throw_redirect_error(env, -ENOMEM, "cannot allocate a completion");
    return nullptr;
  }
  if (napi_create_promise(env, &deferred, &promise) != napi_ok) {
    delete *ticket;
    *ticket = nullptr;
    return nullptr;
  }
  (*ticket)->deferred_ = deferred;
  // Referenced while a Promise is pending; a failure (environment terminating) only means the
  // loop is not kept alive, and nobody is left to wait.
  if (pending_++ == 0) napi_ref_threadsafe_function(env, tsfn_);
  return promise;
}

void Ticket::settle(int error) {
  error_ = error;
  std::shared_ptr<Completer> owner = owner_;  // outlives the ticket below
  std::lock_guard<std::mutex> lock(owner->mu_);
  if (owner->alive_ && napi_call_threadsafe_function(owner->tsfn_, this, napi_tsfn_nonblocking) == napi_ok) return;
  delete this;  // the environment is gone: nobody can observe the Promise any more
}

void Completer::call_js(napi_env env, napi_value, void* context, void* data) {
  auto* ticket = static_cast<Ticket*>(data);
  if (env != nullptr) {
    auto* self = static_cast<Completer*>(context);
    // Failures here mean the environment is going away: nobody can observe the Promise.
    if (ticket->error_ == 0) {
      napi_value undefined = js_undefined(env);
      if (undefined != nullptr) napi_resolve_deferred(env, ticket->deferred_, undefined);
    } else {
      napi_value error = make_redirect_error(env, ticket->error_, "operation failed");
      if (error != nullptr) napi_reject_deferred(env, ticket->deferred_, error);
    }
    if (--self->pending_ == 0) napi_unref_threadsafe_function(env, self->tsfn_);
  }
  delete ticket;
}

void Completer::finalize(napi_env, void* data, void*) {
  auto* keep = static_cast<std::shared_ptr<Completer>*>(data);
  {
    std::lock_guard<std::mutex> lock((*keep)->mu_);
    (*keep)->alive_ = false;
    (*keep)->tsfn_ = nullptr;
  }
  delete keep;
}

}  // namespace rt::napi

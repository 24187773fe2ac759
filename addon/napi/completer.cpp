#include "completer.hpp"

#include "errors.hpp"

namespace rt::napi {

std::shared_ptr<Completer> Completer::create(napi_env env) {
  auto self = std::make_shared<Completer>();
  napi_value name;
  napi_create_string_utf8(env, "redirect-table:completion", NAPI_AUTO_LENGTH, &name);
  // The function keeps its own reference to the completer; finalize() drops it.
  auto* keep = new std::shared_ptr<Completer>(self);
  napi_status status = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, keep, finalize, self.get(),
                                                       call_js, &self->tsfn_);
  if (status != napi_ok) {
    delete keep;
    napi_throw_error(env, "ENOMEM", "cannot create the completion thread-safe function");
    return nullptr;
  }
  napi_unref_threadsafe_function(env, self->tsfn_);
  self->alive_ = true;
  return self;
}

napi_value Completer::make_promise(napi_env env, Ticket** ticket) {
  napi_deferred deferred;
  napi_value promise;
  if (napi_create_promise(env, &deferred, &promise) != napi_ok) return nullptr;
  if (pending_++ == 0) napi_ref_threadsafe_function(env, tsfn_);
  *ticket = new Ticket(shared_from_this(), deferred);
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
    if (ticket->error_ == 0) {
      napi_value undefined;
      napi_get_undefined(env, &undefined);
      napi_resolve_deferred(env, ticket->deferred_, undefined);
    } else {
      napi_reject_deferred(env, ticket->deferred_, make_redirect_error(env, ticket->error_, "operation failed"));
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

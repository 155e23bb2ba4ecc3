#include "errors.h"

#include <cstring>

namespace ferrolb {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : "E" + std::to_string(err);
}

void ThrowErrno(Napi::Env env, int err, const std::string& what) {
  std::string code = ErrnoName(err);
  Napi::Error e = Napi::Error::New(env, code + ": " + what + " (" + std::strerror(err) + ")");
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, what));
  throw e;
}

void ThrowInvalid(Napi::Env env, const std::string& message) {
  Napi::TypeError e = Napi::TypeError::New(env, message);
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
  throw e;
}

}  // namespace ferrolb

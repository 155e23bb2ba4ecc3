#pragma once
#include <napi.h>

namespace ferrolb {
Napi::Value CreateTcpSocket(const Napi::CallbackInfo& info);
Napi::Value SetMd5Key(const Napi::CallbackInfo& info);
Napi::Value SocketOptions(const Napi::CallbackInfo& info);
Napi::Value CloseFd(const Napi::CallbackInfo& info);
}  // namespace ferrolb

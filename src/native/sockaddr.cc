#include "sockaddr.h"

#include <arpa/inet.h>
#include <cstring>

#include "errors.h"

namespace ferrolb {

socklen_t ToSockaddr(Napi::Env env, int family, const std::string& text, int port, sockaddr_storage* out,
                     const std::string& what) {
  std::memset(out, 0, sizeof(*out));
  in_addr v4{};
  in6_addr v6{};
  bool isV4 = inet_pton(AF_INET, text.c_str(), &v4) == 1;
  bool isV6 = !isV4 && inet_pton(AF_INET6, text.c_str(), &v6) == 1;
  if (!isV4 && !isV6) ThrowInvalid(env, what + ": \"" + text + "\" is not an IPv4 or IPv6 address");
  if (family == AF_INET) {
    if (!isV4) ThrowInvalid(env, what + ": \"" + text + "\" is not an IPv4 address (socket family is IPv4)");
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    sin->sin_addr = v4;
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(static_cast<uint16_t>(port));
  if (isV4) {
    sin6->sin6_addr.s6_addr[10] = 0xff;
    sin6->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&sin6->sin6_addr.s6_addr[12], &v4, 4);
  } else {
    sin6->sin6_addr = v6;
  }
  return sizeof(sockaddr_in6);
}

int IntOption(Napi::Env env, const Napi::Object& opts, const char* name, int min, int max, int fallback) {
  Napi::Value v = opts.Get(name);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsNumber()) ThrowInvalid(env, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<long long>(d))) {
    ThrowInvalid(env, std::string(name) + " must be an integer in " + std::to_string(min) + ".." +
                          std::to_string(max) + ", got " + v.ToString().Utf8Value());
  }
  return static_cast<int>(d);
}

std::string StringOption(Napi::Env env, const Napi::Object& opts, const char* name) {
  Napi::Value v = opts.Get(name);
  if (v.IsUndefined() || v.IsNull()) return "";
  if (!v.IsString()) ThrowInvalid(env, std::string(name) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace ferrolb

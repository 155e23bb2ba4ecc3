// TCP sockets with the options BGP needs, set before the first SYN is sent or accepted:
// TCP_MD5SIG (RFC 2385), IP_TTL / IPV6_UNICAST_HOPS (eBGP multihop, GTSM sends 255),
// IP_MINTTL / IPV6_MINHOPCOUNT (GTSM, RFC 5082), SO_BINDTODEVICE, optional bind. The socket is returned
// unconnected and non-blocking; Node's net.Socket / net.Server take it over by fd and drive
// connect/listen on the event loop, so nothing here ever blocks.
#include "tcp-socket.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"
#include "sockaddr.h"

namespace ferrolb {
namespace {

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) close(fd_);
  }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void SetInt(Napi::Env env, int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) ThrowErrno(env, errno, what);
}

int SocketFamily(Napi::Env env, int fd) {
  int domain = 0;
  socklen_t len = sizeof(domain);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) ThrowErrno(env, errno, "getsockopt SO_DOMAIN");
  return domain;
}

int FdArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowInvalid(info.Env(), "fd must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 2147483647) || d != static_cast<double>(static_cast<int>(d))) {
    ThrowInvalid(info.Env(), "fd must be a non-negative integer");
  }
  return static_cast<int>(d);
}

/** Key bytes from a Buffer/Uint8Array or a string (UTF-8); RFC 2385 keys are at most 80 bytes here. */
std::string KeyBytes(Napi::Env env, Napi::Value v, const std::string& where) {
  std::string key;
  if (v.IsString()) {
    key = v.As<Napi::String>().Utf8Value();
  } else if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    auto a = v.As<Napi::Uint8Array>();
    key.assign(reinterpret_cast<const char*>(a.Data()), a.ByteLength());
  } else {
    ThrowInvalid(env, where + ": key must be a string or a Uint8Array");
  }
  if (key.empty() || key.size() > TCP_MD5SIG_MAXKEYLEN) {
    ThrowInvalid(env, where + ": key must be 1.." + std::to_string(TCP_MD5SIG_MAXKEYLEN) + " bytes, got " +
                          std::to_string(key.size()));
  }
  return key;
}

/** Installs (key non-empty) or removes (key empty) the TCP MD5 key for `peer` on `fd`. */
void ApplyMd5(Napi::Env env, int fd, int family, const std::string& peer, const std::string& key,
              const std::string& where) {
  tcp_md5sig sig{};
  ToSockaddr(env, family, peer, 0, &sig.tcpm_addr, where + ".peer");
  sig.tcpm_keylen = static_cast<uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) != 0) {
    int err = errno;
    // Removing a key that is not installed is not an error for callers that just want it gone.
    if (key.empty() && err == ENOENT) return;
    ThrowErrno(env, err, "setsockopt TCP_MD5SIG");
  }
}

}  // namespace

// createTcpSocket({family: 4|6, localAddress?, localPort?, device?, ttl?, minTtl?, md5?: [{peer, key}],
//                  reuseAddress?}) → fd
Napi::Value CreateTcpSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowInvalid(env, "createTcpSocket: options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  int familyNumber = IntOption(env, opts, "family", 4, 6, 0);
  if (familyNumber != 4 && familyNumber != 6) ThrowInvalid(env, "family must be 4 or 6");
  int family = familyNumber == 4 ? AF_INET : AF_INET6;
  std::string localAddress = StringOption(env, opts, "localAddress");
  int localPort = IntOption(env, opts, "localPort", 0, 65535, 0);
  std::string device = StringOption(env, opts, "device");
  int ttl = IntOption(env, opts, "ttl", 1, 255, 0);
  int minTtl = IntOption(env, opts, "minTtl", 1, 255, 0);
  if (device.size() >= IFNAMSIZ) ThrowInvalid(env, "device: interface names are at most 15 bytes");

  // Validate everything before creating the socket, so argument errors never leak a descriptor.
  sockaddr_storage local{};
  socklen_t localLen = 0;
  if (!localAddress.empty() || localPort != 0) {
    std::string addr = localAddress.empty() ? (family == AF_INET ? "0.0.0.0" : "::") : localAddress;
    localLen = ToSockaddr(env, family, addr, localPort, &local, "localAddress");
  }
  std::vector<std::pair<std::string, std::string>> md5;
  Napi::Value md5Value = opts.Get("md5");
  if (!md5Value.IsUndefined() && !md5Value.IsNull()) {
    if (!md5Value.IsArray()) ThrowInvalid(env, "md5 must be an array of {peer, key}");
    Napi::Array list = md5Value.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      std::string where = "md5[" + std::to_string(i) + "]";
      Napi::Value item = list.Get(i);
      if (!item.IsObject()) ThrowInvalid(env, where + " must be an object {peer, key}");
      Napi::Object o = item.As<Napi::Object>();
      std::string peer = StringOption(env, o, "peer");
      sockaddr_storage check{};
      ToSockaddr(env, family, peer, 0, &check, where + ".peer");
      md5.emplace_back(peer, KeyBytes(env, o.Get("key"), where));
    }
  }

  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) ThrowErrno(env, errno, "socket");
  FdGuard guard(fd);
  if (opts.Get("reuseAddress").ToBoolean()) SetInt(env, fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt SO_REUSEADDR");
  if (!device.empty()) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) != 0) {
      ThrowErrno(env, errno, "setsockopt SO_BINDTODEVICE " + device);
    }
  }
  if (ttl != 0) {
    if (family == AF_INET) SetInt(env, fd, IPPROTO_IP, IP_TTL, ttl, "setsockopt IP_TTL");
    else SetInt(env, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "setsockopt IPV6_UNICAST_HOPS");
  }
  if (minTtl != 0) {
    if (family == AF_INET) SetInt(env, fd, IPPROTO_IP, IP_MINTTL, minTtl, "setsockopt IP_MINTTL");
    else SetInt(env, fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minTtl, "setsockopt IPV6_MINHOPCOUNT");
  }
  for (size_t i = 0; i < md5.size(); i++) {
    ApplyMd5(env, fd, family, md5[i].first, md5[i].second, "md5[" + std::to_string(i) + "]");
  }
  if (localLen != 0 && bind(fd, reinterpret_cast<sockaddr*>(&local), localLen) != 0) {
    ThrowErrno(env, errno, "bind " + localAddress + ":" + std::to_string(localPort));
  }
  return Napi::Number::New(env, guard.release());
}

// setMd5Key(fd, peer, key | null): add/replace (key) or remove (null) a peer's key on a live socket.
Napi::Value SetMd5Key(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  if (info.Length() < 2 || !info[1].IsString()) ThrowInvalid(env, "setMd5Key: peer must be a string");
  std::string peer = info[1].As<Napi::String>().Utf8Value();
  std::string key;
  if (info.Length() >= 3 && !info[2].IsNull() && !info[2].IsUndefined()) key = KeyBytes(env, info[2], "setMd5Key");
  ApplyMd5(env, fd, SocketFamily(env, fd), peer, key, "setMd5Key");
  return env.Undefined();
}

// socketOptions(fd) → {family, ttl, minTtl, device}: read back what the kernel holds (for tests and logs).
Napi::Value SocketOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  int family = SocketFamily(env, fd);
  auto getInt = [&](int level, int name, const char* what) {
    int v = 0;
    socklen_t len = sizeof(v);
    if (getsockopt(fd, level, name, &v, &len) != 0) ThrowErrno(env, errno, what);
    return v;
  };
  Napi::Object out = Napi::Object::New(env);
  out.Set("family", Napi::Number::New(env, family == AF_INET ? 4 : 6));
  if (family == AF_INET) {
    out.Set("ttl", getInt(IPPROTO_IP, IP_TTL, "getsockopt IP_TTL"));
    out.Set("minTtl", getInt(IPPROTO_IP, IP_MINTTL, "getsockopt IP_MINTTL"));
  } else {
    out.Set("ttl", getInt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, "getsockopt IPV6_UNICAST_HOPS"));
    out.Set("minTtl", getInt(IPPROTO_IPV6, IPV6_MINHOPCOUNT, "getsockopt IPV6_MINHOPCOUNT"));
  }
  char dev[IFNAMSIZ + 1] = {0};
  socklen_t devLen = IFNAMSIZ;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &devLen) != 0) ThrowErrno(env, errno, "getsockopt SO_BINDTODEVICE");
  out.Set("device", Napi::String::New(env, std::string(dev, strnlen(dev, devLen))));
  return out;
}

// closeFd(fd): for descriptors never handed to Node (error paths).
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  if (close(fd) != 0) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

}  // namespace ferrolb

#include "udp-socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"
#include "sockaddr.h"

namespace ferrolb {
namespace {

struct Datagram {
  std::vector<uint8_t> data;
  std::string address;
  int port = 0;
  int ttl = -1;  // -1: the kernel gave no TTL / hop limit
};

void Deliver(Napi::Env env, Napi::Function callback, Datagram* d) {
  if (env != nullptr && callback != nullptr) {
    callback.Call({Napi::Buffer<uint8_t>::Copy(env, d->data.data(), d->data.size()),
                   Napi::String::New(env, d->address), Napi::Number::New(env, d->port),
                   Napi::Number::New(env, d->ttl)});
  }
  delete d;
}

}  // namespace

Napi::Function UdpSocket::Define(Napi::Env env) {
  return DefineClass(env, "UdpSocket",
                     {InstanceMethod<&UdpSocket::Send>("send"), InstanceMethod<&UdpSocket::Close>("close"), InstanceMethod<&UdpSocket::Ref>("ref"),
                      InstanceMethod<&UdpSocket::Unref>("unref"),
                      InstanceMethod<&UdpSocket::LocalPort>("localPort")});
}

// new UdpSocket({family: 4|6, localAddress?, port, device?, reuseAddress?, ttl?}, onMessage?(buf, address, port, ttl))
// Without onMessage nothing is read (a send-only socket, no thread).
UdpSocket::UdpSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject() || (info.Length() >= 2 && !info[1].IsFunction() && !info[1].IsUndefined())) {
    ThrowInvalid(env, "UdpSocket: expected (options, onMessage?)");
  }
  receiving_ = info.Length() >= 2 && info[1].IsFunction();
  Napi::Object opts = info[0].As<Napi::Object>();
  int familyNumber = IntOption(env, opts, "family", 4, 6, 0);
  if (familyNumber != 4 && familyNumber != 6) ThrowInvalid(env, "family must be 4 or 6");
  family_ = familyNumber == 4 ? AF_INET : AF_INET6;
  int port = IntOption(env, opts, "port", 0, 65535, -1);
  if (port < 0) ThrowInvalid(env, "port is required");
  std::string localAddress = StringOption(env, opts, "localAddress");
  if (localAddress.empty()) localAddress = family_ == AF_INET ? "0.0.0.0" : "::";
  std::string device = StringOption(env, opts, "device");
  if (device.size() >= IFNAMSIZ) ThrowInvalid(env, "device: interface names are at most 15 bytes");
  int ttl = IntOption(env, opts, "ttl", 1, 255, 0);
  sockaddr_storage local{};
  socklen_t localLen = ToSockaddr(env, family_, localAddress, port, &local, "localAddress");

  fd_ = socket(family_, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd_ < 0) ThrowErrno(env, errno, "socket");
  try {
    int one = 1;
    if (opts.Get("reuseAddress").ToBoolean() && setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
      ThrowErrno(env, errno, "setsockopt SO_REUSEADDR");
    }
    if (family_ == AF_INET) {
      if (setsockopt(fd_, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) != 0) ThrowErrno(env, errno, "setsockopt IP_RECVTTL");
    } else {
      if (setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) != 0) {
        ThrowErrno(env, errno, "setsockopt IPV6_RECVHOPLIMIT");
      }
    }
    if (ttl != 0) {
      int level = family_ == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
      int name = family_ == AF_INET ? IP_TTL : IPV6_UNICAST_HOPS;
      if (setsockopt(fd_, level, name, &ttl, sizeof(ttl)) != 0) {
        ThrowErrno(env, errno, family_ == AF_INET ? "setsockopt IP_TTL" : "setsockopt IPV6_UNICAST_HOPS");
      }
    }
    if (!device.empty() &&
        setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) != 0) {
      ThrowErrno(env, errno, "setsockopt SO_BINDTODEVICE " + device);
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), localLen) != 0) {
      ThrowErrno(env, errno, "bind " + localAddress + ":" + std::to_string(port));
    }
    if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) ThrowErrno(env, errno, "pipe2");
  } catch (...) {
    close(fd_);
    fd_ = -1;
    if (wake_[0] >= 0) close(wake_[0]);
    if (wake_[1] >= 0) close(wake_[1]);
    wake_[0] = wake_[1] = -1;
    throw;
  }
  open_ = true;
  if (!receiving_) return;
  tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "ferrolb-udp-socket", 0, 1);
  thread_ = std::thread([this] { Run(); });
}

UdpSocket::~UdpSocket() { Stop(); }

void UdpSocket::Run() {
  std::vector<uint8_t> buf(65536);
  alignas(cmsghdr) char control[256];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    for (int i = 0; i < 64; i++) {  // drain a burst, then re-check the wake pipe
      sockaddr_storage from{};
      iovec iov{buf.data(), buf.size()};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t got = recvmsg(fd_, &msg, 0);
      if (got < 0) break;  // EAGAIN (drained) or a transient error (e.g. ICMP-reported ECONNREFUSED)
      auto* d = new Datagram();
      d->data.assign(buf.data(), buf.data() + got);
      char text[INET6_ADDRSTRLEN] = {0};
      if (from.ss_family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&from);
        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
        d->port = ntohs(sin->sin_port);
      } else if (from.ss_family == AF_INET6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&from);
        inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
        d->port = ntohs(sin6->sin6_port);
      }
      d->address = text;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
          int v = 0;
          std::memcpy(&v, CMSG_DATA(c), sizeof(v));
          d->ttl = v;
        }
      }
      if (tsfn_.NonBlockingCall(d, Deliver) != napi_ok) delete d;
    }
  }
}

void UdpSocket::Stop() {
  if (!open_) return;
  open_ = false;
  char b = 1;
  ssize_t ignored = write(wake_[1], &b, 1);
  (void)ignored;
  if (thread_.joinable()) thread_.join();
  close(fd_);
  close(wake_[0]);
  close(wake_[1]);
  fd_ = wake_[0] = wake_[1] = -1;
  if (receiving_) tsfn_.Release();
}

// send(data: Uint8Array, address, port) → bytes sent. Never blocks (MSG_DONTWAIT): a full buffer is EAGAIN.
Napi::Value UdpSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!open_) ThrowInvalid(env, "UdpSocket is closed");
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsString() || !info[2].IsNumber()) {
    ThrowInvalid(env, "send: expected (data: Uint8Array, address: string, port: number)");
  }
  auto data = info[0].As<Napi::Uint8Array>();
  double portValue = info[2].As<Napi::Number>().DoubleValue();
  if (!(portValue >= 1 && portValue <= 65535) || portValue != static_cast<int>(portValue)) {
    ThrowInvalid(env, "send: port must be an integer in 1..65535");
  }
  sockaddr_storage to{};
  socklen_t toLen = ToSockaddr(env, family_, info[1].As<Napi::String>().Utf8Value(), static_cast<int>(portValue), &to, "send: address");
  ssize_t n = sendto(fd_, data.Data(), data.ByteLength(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), toLen);
  if (n < 0) ThrowErrno(env, errno, "sendto");
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value UdpSocket::Close(const Napi::CallbackInfo& info) {
  Stop();
  return info.Env().Undefined();
}

Napi::Value UdpSocket::Ref(const Napi::CallbackInfo& info) {
  if (open_ && receiving_) tsfn_.Ref(info.Env());
  return info.Env().Undefined();
}

Napi::Value UdpSocket::Unref(const Napi::CallbackInfo& info) {
  if (open_ && receiving_) tsfn_.Unref(info.Env());
  return info.Env().Undefined();
}

Napi::Value UdpSocket::LocalPort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!open_) ThrowInvalid(env, "UdpSocket is closed");
  sockaddr_storage local{};
  socklen_t len = sizeof(local);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0) ThrowErrno(env, errno, "getsockname");
  int port = local.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port)
                                        : ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
  return Napi::Number::New(env, port);
}

}  // namespace ferrolb

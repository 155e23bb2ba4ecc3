// A UDP socket with what node:dgram lacks: when given a message callback it is read on its own thread
// with recvmsg, so each datagram arrives with the TTL / hop limit it was received with (IP_RECVTTL /
// IPV6_RECVHOPLIMIT; RFC 5881 §5 GTSM drops BFD packets whose TTL is not 255); it can be bound to a
// device (SO_BINDTODEVICE, e.g. a VRF) and send with a fixed TTL (IP_TTL / IPV6_UNICAST_HOPS).
#pragma once
#include <napi.h>

#include <atomic>
#include <thread>

namespace ferrolb {

class UdpSocket : public Napi::ObjectWrap<UdpSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit UdpSocket(const Napi::CallbackInfo& info);
  ~UdpSocket() override;

 private:
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value LocalPort(const Napi::CallbackInfo& info);
  void Run();
  void Stop();

  int fd_ = -1;
  int wake_[2] = {-1, -1};
  int family_ = 0;
  std::thread thread_;
  Napi::ThreadSafeFunction tsfn_;
  bool open_ = false;
  bool receiving_ = false;
};

}  // namespace ferrolb

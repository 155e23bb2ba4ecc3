// A UDP socket read on its own thread with recvmsg, so each datagram arrives with the TTL / hop limit it
// was received with (IP_RECVTTL / IPV6_RECVHOPLIMIT). node:dgram cannot report it, and RFC 5881 §5 (BFD
// single hop GTSM) requires dropping control packets whose TTL is not 255.
#pragma once
#include <napi.h>

#include <atomic>
#include <thread>

namespace ferrolb {

class UdpReceiver : public Napi::ObjectWrap<UdpReceiver> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit UdpReceiver(const Napi::CallbackInfo& info);
  ~UdpReceiver() override;

 private:
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
};

}  // namespace ferrolb

// An AF_PACKET socket bound to one interface, for ARP and NDP (Layer 2 mode). A classic BPF filter in the
// kernel passes only ARP and ICMPv6 Neighbor Solicitations/Advertisements, and the socket is watched by
// libuv (uv_poll on the event loop thread): no reader thread, no polling loop, nothing runs while idle.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>

namespace ferrolb {

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PacketSocket(const Napi::CallbackInfo& info);
  ~PacketSocket() override;

 private:
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value AddMembership(const Napi::CallbackInfo& info);
  Napi::Value DropMembership(const Napi::CallbackInfo& info);
  Napi::Value Statistics(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  void Membership(const Napi::CallbackInfo& info, int op, const char* what);
  void OnReadable();
  void Stop();
  static void PollCallback(uv_poll_t* handle, int status, int events);

  int fd_ = -1;
  int ifindex_ = 0;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onFrame_;
  std::unique_ptr<Napi::AsyncContext> context_;
  bool open_ = false;
  // Receive arena and per-frame metadata, shared with JS (see the constructor's comment in packet-socket.cc).
  static constexpr size_t kArenaBytes = 256 * 1024;
  static constexpr size_t kMinRoom = 9216 + 18;  // a jumbo frame with an 802.1Q header
  static constexpr int kBatch = 64;
  static constexpr int kBatchesPerWake = 4;
  static constexpr int kMetaStride = 8;  // offset, length, pkttype, vlan tci (-1), truncated, sec, nsec, 0
  Napi::Reference<Napi::ArrayBuffer> arenaRef_;
  Napi::Reference<Napi::ArrayBuffer> metaRef_;
  uint8_t* rx_ = nullptr;
  int32_t* meta_ = nullptr;
};

}  // namespace ferrolb

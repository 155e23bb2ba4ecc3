#include "packet-socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <ctime>

#include "errors.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace ferrolb {
namespace {

// Accept ARP (EtherType 0x0806) and IPv6 (0x86dd) whose next header is ICMPv6 (58) with type 135 (NS)
// or 136 (NA); drop everything else in the kernel. Offsets are from the start of the Ethernet header
// (the kernel has already moved any 802.1Q tag into the packet's metadata, see PACKET_AUXDATA).
sock_filter kFilter[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                  // 0: EtherType
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 6, 0),    // 1: ARP → accept (8)
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),   // 2: not IPv6 → drop (9)
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),              // 3: IPv6 next header
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 4),           // 4: not ICMPv6 → drop (9)
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),             // 5: ICMPv6 type
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),          // 6: NS → accept (8)
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),          // 7: NA → accept (8), else drop (9)
    BPF_STMT(BPF_RET | BPF_K, 0xffff),                       // 8: accept (whole frame)
    BPF_STMT(BPF_RET | BPF_K, 0),                            // 9: drop
};

void CloseCallback(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

}  // namespace

Napi::Function PacketSocket::Define(Napi::Env env) {
  return DefineClass(env, "PacketSocket",
                     {InstanceMethod<&PacketSocket::Send>("send"), InstanceMethod<&PacketSocket::AddMembership>("addMembership"),
                      InstanceMethod<&PacketSocket::DropMembership>("dropMembership"),
                      InstanceMethod<&PacketSocket::Statistics>("statistics"), InstanceMethod<&PacketSocket::Close>("close"),
                      InstanceMethod<&PacketSocket::Ref>("ref"), InstanceMethod<&PacketSocket::Unref>("unref")});
}

// new PacketSocket({ifindex, receiveBufferBytes?, ignoreOutgoing?, timestamps?}, onBatch(count: number))
// Frames are received into one arena per socket (`rx`, a Uint8Array made once) and described in `meta` (an
// Int32Array, kMetaStride values per frame, see packet.ts): each readable wake-up drains the socket into
// them and calls onBatch once per batch of up to kBatch frames. No allocation per frame; the arena is
// overwritten by the next batch, so JS must not keep views of it past the call.
PacketSocket::PacketSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) ThrowInvalid(env, "PacketSocket: expected (options, onFrame)");
  Napi::Value idx = info[0].As<Napi::Object>().Get("ifindex");
  if (!idx.IsNumber()) ThrowInvalid(env, "PacketSocket: ifindex must be a positive integer");
  double d = idx.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= 0x7fffffff) || d != static_cast<int>(d)) ThrowInvalid(env, "PacketSocket: ifindex must be a positive integer");
  ifindex_ = static_cast<int>(d);
  Napi::Value rcv = info[0].As<Napi::Object>().Get("receiveBufferBytes");
  int rcvbuf = 0;
  if (!rcv.IsUndefined()) {
    double r = rcv.IsNumber() ? rcv.As<Napi::Number>().DoubleValue() : -1;
    if (!(r >= 0 && r <= 0x7fffffff) || r != static_cast<int>(r)) ThrowInvalid(env, "PacketSocket: receiveBufferBytes must be a non-negative integer");
    rcvbuf = static_cast<int>(r);
  }
  Napi::Value ign = info[0].As<Napi::Object>().Get("ignoreOutgoing");
  bool ignoreOutgoing = ign.IsUndefined() || ign.ToBoolean().Value();
  Napi::Value ts = info[0].As<Napi::Object>().Get("timestamps");
  bool timestamps = !ts.IsUndefined() && ts.ToBoolean().Value();

  // Protocol 0: nothing is queued until bind(), which happens after the filter is attached.
  fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) ThrowErrno(env, errno, "socket AF_PACKET");
  try {
    sock_fprog prog{static_cast<unsigned short>(sizeof(kFilter) / sizeof(kFilter[0])), kFilter};
    if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0) ThrowErrno(env, errno, "setsockopt SO_ATTACH_FILTER");
    // A bigger receive queue so a burst (hundreds of requests after a move) is not dropped; FORCE lets
    // root exceed net.core.rmem_max.
    if (rcvbuf > 0 && setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0 &&
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
      ThrowErrno(env, errno, "setsockopt SO_RCVBUF");
    }
    int one = 1;
    if (setsockopt(fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) != 0) ThrowErrno(env, errno, "setsockopt PACKET_AUXDATA");
    // Our own transmissions are not looped back to us (Linux ≥ 4.20; older kernels: the core drops them as own-frame).
    if (ignoreOutgoing) (void)setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    // Kernel receive time of each frame (CLOCK_REALTIME), for measurements that leave out the reader's scheduling.
    if (timestamps && setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) != 0) ThrowErrno(env, errno, "setsockopt SO_TIMESTAMPNS");
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex_;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0) ThrowErrno(env, errno, "bind AF_PACKET ifindex " + std::to_string(ifindex_));
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) ThrowInvalid(env, "PacketSocket: no libuv event loop");
    poll_ = new uv_poll_t();
    int rc = uv_poll_init(loop, poll_, fd_);
    if (rc != 0) {
      delete poll_;
      poll_ = nullptr;
      ThrowErrno(env, -rc, "uv_poll_init");
    }
  } catch (...) {
    close(fd_);
    fd_ = -1;
    throw;
  }
  poll_->data = this;
  Napi::ArrayBuffer rx = Napi::ArrayBuffer::New(env, kArenaBytes);
  Napi::ArrayBuffer meta = Napi::ArrayBuffer::New(env, kBatch * kMetaStride * sizeof(int32_t));
  rx_ = static_cast<uint8_t*>(rx.Data());
  meta_ = static_cast<int32_t*>(meta.Data());
  arenaRef_ = Napi::Persistent(rx);
  metaRef_ = Napi::Persistent(meta);
  info.This().As<Napi::Object>().Set("rx", Napi::Uint8Array::New(env, kArenaBytes, rx, 0));
  info.This().As<Napi::Object>().Set("meta", Napi::Int32Array::New(env, kBatch * kMetaStride, meta, 0));
  onFrame_ = Napi::Persistent(info[1].As<Napi::Function>());
  context_ = std::make_unique<Napi::AsyncContext>(env, "ferrolb:PacketSocket");
  open_ = true;
  Napi::ObjectWrap<PacketSocket>::Ref();  // kept alive while the loop watches it; released by close()
  uv_poll_start(poll_, UV_READABLE, PollCallback);
}

PacketSocket::~PacketSocket() { Stop(); }

void PacketSocket::PollCallback(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<PacketSocket*>(handle->data);
  if (self == nullptr || !self->open_) return;
  if (status < 0) return;  // transient; the next readiness tries again
  self->OnReadable();
}

void PacketSocket::OnReadable() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata)) + CMSG_SPACE(sizeof(timespec))];
  for (int batch = 0; batch < kBatchesPerWake && open_; batch++) {  // a burst per wake-up, then back to the loop
    int count = 0;
    size_t used = 0;
    // Every frame gets at least kMinRoom octets (a jumbo frame); a longer one is marked truncated.
    while (count < kBatch && kArenaBytes - used >= kMinRoom) {
      sockaddr_ll from{};
      iovec iov{rx_ + used, kArenaBytes - used};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t got = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
      if (got < 0) break;  // EAGAIN: drained
      size_t len = std::min(static_cast<size_t>(got), kArenaBytes - used);
      int32_t* m = meta_ + count * kMetaStride;
      m[0] = static_cast<int32_t>(used);
      m[1] = static_cast<int32_t>(len);
      m[2] = from.sll_pkttype;
      m[3] = -1;
      m[4] = static_cast<size_t>(got) > len ? 1 : 0;
      m[5] = 0;
      m[6] = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
          tpacket_auxdata aux{};
          std::memcpy(&aux, CMSG_DATA(c), sizeof(aux));
          if ((aux.tp_status & TP_STATUS_VLAN_VALID) != 0) m[3] = aux.tp_vlan_tci;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec t{};
          std::memcpy(&t, CMSG_DATA(c), sizeof(t));
          m[5] = static_cast<int32_t>(static_cast<uint32_t>(t.tv_sec));  // JS reads it back with >>> 0 (good until 2106)
          m[6] = static_cast<int32_t>(t.tv_nsec);
        }
      }
      used += (len + 7) & ~static_cast<size_t>(7);
      count++;
    }
    if (count == 0) break;
    onFrame_.MakeCallback(Value(), {Napi::Number::New(env, count)}, *context_);
    if (count < kBatch && kArenaBytes - used >= kMinRoom) break;  // the socket was drained
  }
}

void PacketSocket::Stop() {
  if (!open_) return;
  open_ = false;
  uv_poll_stop(poll_);
  poll_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), CloseCallback);
  poll_ = nullptr;
  close(fd_);
  fd_ = -1;
}

// send(frame: Uint8Array, length?: number) → octets sent; a whole Ethernet frame (header included) out of the
// bound interface: the first `length` octets of `frame` (default all), sent from its memory without a copy.
Napi::Value PacketSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!open_) ThrowInvalid(env, "PacketSocket is closed");
  if (info.Length() < 1 || !info[0].IsTypedArray()) ThrowInvalid(env, "send: expected (frame: Uint8Array)");
  auto data = info[0].As<Napi::Uint8Array>();
  size_t len = data.ByteLength();
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    double l = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
    if (!(l >= 0 && l <= static_cast<double>(len)) || l != static_cast<size_t>(l)) ThrowInvalid(env, "send: length must be an integer within the frame");
    len = static_cast<size_t>(l);
  }
  if (len < 14) ThrowInvalid(env, "send: a frame has at least 14 octets (the Ethernet header)");
  ssize_t n = send(fd_, data.Data(), len, MSG_DONTWAIT);
  if (n < 0) ThrowErrno(env, errno, "send AF_PACKET");
  return Napi::Number::New(env, static_cast<double>(n));
}

void PacketSocket::Membership(const Napi::CallbackInfo& info, int op, const char* what) {
  Napi::Env env = info.Env();
  if (!open_) ThrowInvalid(env, "PacketSocket is closed");
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::Uint8Array>().ByteLength() != 6) {
    ThrowInvalid(env, std::string(what) + ": expected (mac: Uint8Array of 6 octets)");
  }
  auto mac = info[0].As<Napi::Uint8Array>();
  packet_mreq mr{};
  mr.mr_ifindex = ifindex_;
  mr.mr_type = PACKET_MR_MULTICAST;
  mr.mr_alen = 6;
  std::memcpy(mr.mr_address, mac.Data(), 6);
  if (setsockopt(fd_, SOL_PACKET, op, &mr, sizeof(mr)) != 0) ThrowErrno(env, errno, std::string("setsockopt ") + what);
}

// addMembership(mac) / dropMembership(mac): the interface accepts frames for a multicast group (e.g. a
// solicited-node group 33:33:ff:xx:xx:xx) while this socket is a member.
Napi::Value PacketSocket::AddMembership(const Napi::CallbackInfo& info) {
  Membership(info, PACKET_ADD_MEMBERSHIP, "PACKET_ADD_MEMBERSHIP");
  return info.Env().Undefined();
}

Napi::Value PacketSocket::DropMembership(const Napi::CallbackInfo& info) {
  Membership(info, PACKET_DROP_MEMBERSHIP, "PACKET_DROP_MEMBERSHIP");
  return info.Env().Undefined();
}

// statistics() → {packets, drops} since the last call (PACKET_STATISTICS resets on read).
Napi::Value PacketSocket::Statistics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!open_) ThrowInvalid(env, "PacketSocket is closed");
  tpacket_stats st{};
  socklen_t len = sizeof(st);
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) ThrowErrno(env, errno, "getsockopt PACKET_STATISTICS");
  Napi::Object o = Napi::Object::New(env);
  o.Set("packets", Napi::Number::New(env, st.tp_packets));
  o.Set("drops", Napi::Number::New(env, st.tp_drops));
  return o;
}

Napi::Value PacketSocket::Close(const Napi::CallbackInfo& info) {
  if (open_) {
    Stop();
    Napi::ObjectWrap<PacketSocket>::Unref();
  }
  return info.Env().Undefined();
}

Napi::Value PacketSocket::Ref(const Napi::CallbackInfo& info) {
  if (open_) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value PacketSocket::Unref(const Napi::CallbackInfo& info) {
  if (open_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

}  // namespace ferrolb

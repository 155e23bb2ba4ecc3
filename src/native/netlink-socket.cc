#include "netlink-socket.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

#include "errors.h"
#include "sockaddr.h"

namespace ferrolb {
namespace {

// Largest reply datagram accepted: the kernel sizes a dump's datagrams by the reader's buffer but at most
// 32 KiB, and an error echoes only the failing (small) request; MSG_TRUNC catches a larger one. Allocated
// at the first exchange and zero-filled, so it is resident on every node with IPVS: keep it small.
constexpr size_t kReceiveBytes = 64 << 10;

}  // namespace

Napi::Function NetlinkSocket::Define(Napi::Env env) {
  return DefineClass(env, "NetlinkSocket",
                     {InstanceMethod<&NetlinkSocket::Exchange>("exchange"),
                      InstanceMethod<&NetlinkSocket::Close>("close"),
                      InstanceMethod<&NetlinkSocket::PortId>("portId")});
}

// new NetlinkSocket({protocol, receiveBufferBytes?, timeoutMs?})
NetlinkSocket::NetlinkSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkSocket>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowInvalid(env, "NetlinkSocket: expected (options)");
  Napi::Object opts = info[0].As<Napi::Object>();
  int protocol = IntOption(env, opts, "protocol", 0, 31, -1);
  if (protocol < 0) ThrowInvalid(env, "protocol is required (0..31, e.g. 16 for NETLINK_GENERIC)");
  int rcvbuf = IntOption(env, opts, "receiveBufferBytes", 4096, 1 << 30, 4 << 20);
  int timeoutMs = IntOption(env, opts, "timeoutMs", 1, 3600000, 5000);

  fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) ThrowErrno(env, errno, "socket AF_NETLINK protocol " + std::to_string(protocol));
  try {
    // Room for the answers of one exchange (each ACK is its own datagram). SO_RCVBUFFORCE passes the
    // rmem_max limit with CAP_NET_ADMIN; without it SO_RCVBUF takes what the limit allows.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0 &&
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
      ThrowErrno(env, errno, "setsockopt SO_RCVBUF");
    }
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) ThrowErrno(env, errno, "setsockopt SO_RCVTIMEO");
    int one = 1;
    // Errors without a copy of the failed request (the sequence number names it), with the kernel's
    // message when it has one (extended ACK). Both are optional: older kernels answer without them.
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns the port id
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) ThrowErrno(env, errno, "bind AF_NETLINK");
    socklen_t len = sizeof(local);
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0) ThrowErrno(env, errno, "getsockname");
    portId_ = local.nl_pid;
  } catch (...) {
    close(fd_);
    fd_ = -1;
    throw;
  }
}

NetlinkSocket::~NetlinkSocket() {
  if (fd_ >= 0) close(fd_);
}

// exchange(messages: Uint8Array) → Buffer of every reply message received, in order. Throws with the errno
// code on a failed send or receive (EAGAIN: no answer within timeoutMs; ENOBUFS: replies were lost).
Napi::Value NetlinkSocket::Exchange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) ThrowErrno(env, EBADF, "netlink exchange on a closed socket");
  if (info.Length() < 1 || !info[0].IsTypedArray()) ThrowInvalid(env, "exchange: expected (Uint8Array)");
  Napi::Uint8Array msgs = info[0].As<Napi::Uint8Array>();
  const uint8_t* data = msgs.Data();
  size_t size = msgs.ByteLength();

  // The sequence numbers still owed an answer.
  std::set<uint32_t> pending;
  for (size_t off = 0; off + sizeof(nlmsghdr) <= size;) {
    nlmsghdr h;
    std::memcpy(&h, data + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > size) ThrowInvalid(env, "exchange: malformed nlmsghdr");
    if ((h.nlmsg_flags & NLM_F_ACK) || (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) pending.insert(h.nlmsg_seq);
    off += NLMSG_ALIGN(h.nlmsg_len);
    if (off >= size) break;
    if (off + sizeof(nlmsghdr) > size) ThrowInvalid(env, "exchange: malformed nlmsghdr (stray octets at the end)");
  }
  if (size < sizeof(nlmsghdr)) ThrowInvalid(env, "exchange: malformed nlmsghdr (shorter than a header)");

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    ssize_t n = sendto(fd_, data, size, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
    if (n >= 0) break;
    if (errno != EINTR) ThrowErrno(env, errno, "netlink sendto");
  }

  std::vector<uint8_t> out;
  if (rx_.empty()) rx_.resize(kReceiveBytes);
  while (!pending.empty()) {
    ssize_t n = recv(fd_, rx_.data(), rx_.size(), MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno(env, errno, errno == EAGAIN ? "netlink recv: no answer in time" : "netlink recv");
    }
    if (static_cast<size_t>(n) > rx_.size()) ThrowErrno(env, EMSGSIZE, "netlink recv: reply larger than 64 KiB");
    size_t got = static_cast<size_t>(n);
    for (size_t off = 0; off + sizeof(nlmsghdr) <= got;) {
      nlmsghdr h;
      std::memcpy(&h, rx_.data() + off, sizeof(h));
      if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > got) break;  // the decoder names it
      if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) pending.erase(h.nlmsg_seq);
      off += NLMSG_ALIGN(h.nlmsg_len);
    }
    out.insert(out.end(), rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(got));
  }
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size());
}

Napi::Value NetlinkSocket::Close(const Napi::CallbackInfo& info) {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  return info.Env().Undefined();
}

Napi::Value NetlinkSocket::PortId(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), portId_); }

}  // namespace ferrolb

// An AF_NETLINK socket of any protocol (NETLINK_GENERIC for IPVS today; NETLINK_ROUTE, NETLINK_NETFILTER
// later), used synchronously: `exchange(buffer)` sends one buffer holding one or many netlink messages in one
// sendmsg and receives until every message that asked for an answer has one — an NLMSG_ERROR (the ACK, error
// 0, or the failure) for each NLM_F_ACK message, an NLMSG_DONE or NLMSG_ERROR for each dump request — and
// returns every reply received, concatenated. Synchronous because the kernel answers generic netlink (and
// rtnetlink) requests inside sendmsg: the replies are already queued when it returns, so the receive loop
// never waits on anyone; a receive timeout (SO_RCVTIMEO) makes sure it can never hang anyway. Parsing the
// replies (errors with their errno and sequence number) is the JavaScript side's (src/native/netlink.ts).
#pragma once
#include <napi.h>

#include <vector>

namespace ferrolb {

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NetlinkSocket(const Napi::CallbackInfo& info);
  ~NetlinkSocket() override;

 private:
  Napi::Value Exchange(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value PortId(const Napi::CallbackInfo& info);

  int fd_ = -1;
  uint32_t portId_ = 0;
  std::vector<uint8_t> rx_;
};

}  // namespace ferrolb

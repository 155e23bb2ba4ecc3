// ferrolb_native: the few socket options Node cannot set, and the release of the code pages only the start
// ran, exposed through Node-API (ABI-stable, so the same build loads on any Node version). The typed
// wrapper is src/native/index.ts.
#include <napi.h>

#include "code-pages.h"
#include "netlink-socket.h"
#include "packet-socket.h"
#include "tcp-socket.h"
#include "udp-socket.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("createTcpSocket", Napi::Function::New<ferrolb::CreateTcpSocket>(env, "createTcpSocket"));
  exports.Set("setMd5Key", Napi::Function::New<ferrolb::SetMd5Key>(env, "setMd5Key"));
  exports.Set("socketOptions", Napi::Function::New<ferrolb::SocketOptions>(env, "socketOptions"));
  exports.Set("closeFd", Napi::Function::New<ferrolb::CloseFd>(env, "closeFd"));
  exports.Set("releaseExecutablePages",
              Napi::Function::New<ferrolb::ReleaseExecutablePages>(env, "releaseExecutablePages"));
  exports.Set("UdpSocket", ferrolb::UdpSocket::Define(env));
  exports.Set("PacketSocket", ferrolb::PacketSocket::Define(env));
  exports.Set("NetlinkSocket", ferrolb::NetlinkSocket::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(ferrolb_native, Init)

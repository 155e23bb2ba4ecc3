export { nativeAddon, NativeAddonMissingError, ADDON_PATH } from './addon.ts';
export type {
  Md5Entry,
  NativeAddon,
  NativeNetlinkSocket,
  NativePacketSocket,
  NativeUdpSocket,
  PacketBatchHandler,
  UdpMessageHandler,
  UdpSocketOptions,
} from './addon.ts';
export {
  openPacketSocket,
  openPacketSocketBatch,
  PACKET_OUTGOING,
  type PacketBatch,
  type PacketSocket,
  type PacketSocketOptions,
  type ReceivedFrame,
} from './packet.ts';
export {
  connectTcp,
  listenTcp,
  setMd5Key,
  socketOptions,
  ConnectTimeoutError,
  InvalidSocketOptionError,
} from './tcp.ts';
export type { ConnectTcpOptions, ListenTcpOptions } from './tcp.ts';
export {
  errnoName,
  NetlinkSocket,
  NETLINK_GENERIC,
  NETLINK_NETFILTER,
  NETLINK_ROUTE,
  type NetlinkFailure,
  type NetlinkSocketOptions,
} from './netlink.ts';

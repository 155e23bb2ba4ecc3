export { nativeAddon, NativeAddonMissingError, ADDON_PATH } from './addon.ts';
export type {
  Md5Entry,
  NativeAddon,
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

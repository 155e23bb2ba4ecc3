export { nativeAddon, NativeAddonMissingError, ADDON_PATH } from './addon.ts';
export type { Md5Entry, NativeAddon, NativeUdpSocket, UdpMessageHandler, UdpSocketOptions } from './addon.ts';
export { connectTcp, listenTcp, setMd5Key, socketOptions, ConnectTimeoutError, InvalidSocketOptionError } from './tcp.ts';
export type { ConnectTcpOptions, ListenTcpOptions } from './tcp.ts';

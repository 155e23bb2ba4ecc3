export { BgpSession, routerIdToNumber } from './session.ts';
export type { NotificationEvent, SessionCounters, SessionOptions, StateChange } from './session.ts';
export { BgpListener } from './listener.ts';
export type { IncomingHandler, ListenerOptions } from './listener.ts';
export { defaultConnector, plainConnect } from './transport.ts';
export type { ConnectOptions, Connector } from './transport.ts';
export { diffRib, toRib } from './adj-rib-out.ts';
export { resolveRoutes } from './resolve-routes.ts';

export * from './host-order.ts';
export * from './nlmsghdr.ts';
export * from './nlmsg.ts';
export * from './nlattr.ts';
export * from './nlmsgerr.ts';
export * from './genl.ts';
export * from './ctrl.ts';

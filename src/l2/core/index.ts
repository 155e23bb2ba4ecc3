export * from './announce-config.ts';
export * from './arp-fast-path.ts';
export * from './announce-schedule.ts';
export * from './frames.ts';
export * from './interface-facts.ts';
export * from './respond.ts';

export * from './plan/index.ts';
export { IpvsSyncer, type IpvsSyncerDeps, type SyncResult } from './syncer.ts';
export { defaultIpvsConfig, type IpvsConfig } from './config.ts';
export { spawnRunner, mustRun, CommandError, type CommandRunner, type CommandResult } from './command-runner.ts';
export { readKernel, applyToKernel, interfaceInfo, INTERFACE_ALIAS } from './kernel.ts';
export { ensureInterface, ensureFirewall, applySysctls, firewallRules, SYSCTLS } from './setup.ts';

export * from './plan/index.ts';
export { IpvsSyncer, type IpvsSyncerDeps, type SyncResult, type SyncTimings } from './syncer.ts';
export { defaultIpvsConfig, type IpvsConfig } from './config.ts';
export { spawnRunner, mustRun, CommandError, type CommandRunner, type CommandResult } from './command-runner.ts';
export {
  readKernel,
  readIpvsCounts,
  applyToKernel,
  interfaceInfo,
  parseInterfaceInfo,
  INTERFACE_ALIAS,
} from './kernel.ts';
export {
  ensureInterface,
  interfaceSetupBatch,
  checkInterfaceOwner,
  ensureFirewall,
  applySysctls,
  firewallRules,
  SYSCTLS,
} from './setup.ts';
export {
  IpvsNetlink,
  IpvsNetlinkError,
  openIpvsNetlink,
  type IpvsNetlinkPath,
  type IpvsNetlinkUnavailable,
} from './netlink.ts';

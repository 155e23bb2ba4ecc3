// What the responder needs to know about an interface, read by the shell (sysfs) and decided on here.

export interface InterfaceFacts {
  name: string;
  /** Kernel interface index (the packet socket is bound to it). */
  index: number;
  mac: string;
  /** IFF_UP is set and the operational state is not down. */
  up: boolean;
  /** IFF_NOARP: the kernel does no neighbour resolution here, and neither do we. */
  noArp: boolean;
  /** The bond or bridge this interface is enslaved to; the master answers, never the port. */
  master?: string;
}

/** Why an interface is not used at all, or undefined when it is usable. */
export type InterfaceSkipReason = 'interface-down' | 'interface-noarp' | 'interface-enslaved';

export function interfaceSkipReason(f: InterfaceFacts): InterfaceSkipReason | undefined {
  if (!f.up) return 'interface-down';
  if (f.noArp) return 'interface-noarp';
  if (f.master !== undefined) return 'interface-enslaved';
  return undefined;
}

/**
 * L2Advertisement.spec.interfaces semantics: an empty or missing list allows every interface; otherwise
 * only the named ones.
 */
export function interfaceAllowed(name: string, allowList: readonly string[] | undefined): boolean {
  return allowList === undefined || allowList.length === 0 || allowList.includes(name);
}

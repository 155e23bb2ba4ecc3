// Shared addresses grouped by what their holders agree on (sharing key + backend), with a per-port
// index, so that preferring an already shared address stays cheap when a sharing key is used by many
// services: when every address of the group already uses one of the candidate's ports, the answer
// "none fits" comes from a size comparison instead of a scan.
import { sharingGroupOf, type AddressState } from './sharing.ts';

export interface SharingGroup {
  all: Set<AddressState>;
  /** `PROTOCOL/port` → the group's addresses on which some holder uses it. */
  byPort: Map<string, Set<AddressState>>;
}

export class SharingIndex {
  private readonly groups = new Map<string, SharingGroup>();

  get(group: string): SharingGroup | undefined {
    return this.groups.get(group);
  }

  /** Call before changing the holders of a shared address... */
  remove(s: AddressState): void {
    const key = sharingGroupOf(s.holders[0]);
    if (key === undefined) return;
    const g = this.groups.get(key);
    if (!g) return;
    g.all.delete(s);
    for (const h of s.holders) {
      for (const p of h.ports) {
        const set = g.byPort.get(p);
        set?.delete(s);
        if (set?.size === 0) g.byPort.delete(p);
      }
    }
    if (g.all.size === 0) this.groups.delete(key);
  }

  /** ...and this after. */
  add(s: AddressState): void {
    const key = sharingGroupOf(s.holders[0]);
    if (key === undefined) return;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { all: new Set(), byPort: new Map() }));
    g.all.add(s);
    for (const h of s.holders) {
      for (const p of h.ports) {
        let set = g.byPort.get(p);
        if (!set) g.byPort.set(p, (set = new Set()));
        set.add(s);
      }
    }
  }
}

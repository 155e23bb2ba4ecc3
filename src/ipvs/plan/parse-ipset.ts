// `ipset save` into the kernel model, keeping only FerroLB's sets (KUBE-LOAD-BALANCER*, KUBE-6-LOAD-BALANCER*);
// members are canonicalised so they compare equal to what desired.ts builds.
import { canonicalEntry, ownedSetSpec } from './ipsets.ts';
import type { Ipset } from './types.ts';

export function parseIpsetSave(text: string): { sets: Map<string, Ipset>; problems: string[] } {
  const sets = new Map<string, Ipset>();
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const tok = line.split(/\s+/);
    const spec = ownedSetSpec(tok[1] ?? '');
    if (!spec) continue;
    if (tok[0] === 'create') {
      const famIdx = tok.indexOf('family');
      const family = famIdx > 0 && tok[famIdx + 1] === 'inet6' ? 'ipv6' : 'ipv4';
      if (tok[2] !== spec.type || family !== spec.family) {
        problems.push(
          `ipset save line ${i + 1}: set ${spec.name} is ${tok[2]} ${family}, expected ${spec.type} ${spec.family}`,
        );
      }
      sets.set(spec.name, { ...spec, entries: new Set() });
    } else if (tok[0] === 'add') {
      const set = sets.get(spec.name);
      const entry = canonicalEntry(spec.type, tok[2] ?? '');
      if (!set || typeof entry !== 'string') {
        problems.push(
          `ipset save line ${i + 1}: ${!set ? 'member before its set' : (entry as { error: string }).error}`,
        );
        continue;
      }
      set.entries.add(entry);
    }
  }
  return { sets, problems };
}

// Where the configuration comes from, decided purely: the address-pool ConfigMap, or the metallb.io
// resources in the controller's namespace — never both. Objects in, a model or located problems out.
import { parseConfigMap, parseCrds } from '../config/index.ts';
import type { Config, ConfigProblem } from '../config/model.ts';
import type { ConfigMapLike, CrdObject } from '../k8s/metallb-kinds.ts';

export interface ConfigInputs {
  /** The address-pool ConfigMap, if it exists. */
  configMap: ConfigMapLike | undefined;
  /** Every metallb.io object in the namespace (all kinds). */
  crds: CrdObject[];
  configMapRef: { namespace: string; name: string };
}

export type ConfigSource = 'configmap' | 'crds';

export type ConfigLoad =
  | { kind: 'ok'; config: Config; source: ConfigSource }
  | { kind: 'invalid'; problems: ConfigProblem[]; source: ConfigSource | 'both' }
  | { kind: 'none' };

export function crdWhere(obj: unknown): string {
  const o = obj as CrdObject;
  return `${o?.kind ?? 'Unknown'}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;
}

export function loadConfig(inputs: ConfigInputs): ConfigLoad {
  const { configMap, crds, configMapRef } = inputs;
  const cmWhere = `ConfigMap/${configMapRef.namespace}/${configMapRef.name}`;
  if (configMap !== undefined && crds.length > 0) {
    const names = crds.slice(0, 3).map(crdWhere).join(', ');
    return {
      kind: 'invalid',
      source: 'both',
      problems: [
        {
          where: cmWhere,
          path: '',
          message: `both this ConfigMap and ${crds.length} metallb.io resource(s) (${names}${crds.length > 3 ? ', ...' : ''}) are present: use either the ConfigMap or the CRDs, not both`,
        },
      ],
    };
  }
  if (configMap !== undefined) {
    const text = configMap.data?.config;
    if (text === undefined) {
      return {
        kind: 'invalid',
        source: 'configmap',
        problems: [
          {
            where: cmWhere,
            path: 'data.config',
            message: 'missing: the address-pool configuration goes under the key "config"',
          },
        ],
      };
    }
    const r = parseConfigMap(text, cmWhere);
    return r.ok
      ? { kind: 'ok', config: r.config, source: 'configmap' }
      : { kind: 'invalid', problems: r.problems, source: 'configmap' };
  }
  if (crds.length > 0) {
    const r = parseCrds(crds, crdWhere);
    return r.ok
      ? { kind: 'ok', config: r.config, source: 'crds' }
      : { kind: 'invalid', problems: r.problems, source: 'crds' };
  }
  return { kind: 'none' };
}

/** A stable text form of a configuration, to tell a real change from a resync of the same objects. */
export function configFingerprint(config: Config): string {
  return JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

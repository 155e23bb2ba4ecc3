// FerroLB configuration: MetalLB's legacy ConfigMap and metallb.io CRDs parsed into one model (pure).
export { parseConfigMap } from './configmap.ts';
export { parseCrds } from './crds.ts';
export { parseFiles, type ConfigFile } from './files.ts';
export { matchesSelector, matchesAnySelector } from './selector.ts';
export { formatCommunity, parseCommunity, WELL_KNOWN_COMMUNITIES } from './community.ts';
export { parseGoDuration } from './duration.ts';
export { poolContaining } from './pool-containing.ts';
export { formatProblem } from './model.ts';
export type * from './model.ts';

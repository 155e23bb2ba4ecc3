import type { Config, ParseResult } from './model.ts';
import type { Problems } from './problems.ts';

export function emptyConfig(): Config {
  return { pools: [], bgpAdvertisements: [], l2Advertisements: [], peers: [], bfdProfiles: [], communityAliases: {} };
}

/** ok when nothing was reported since `before` and a config was built. */
export function resultOf(config: Config | undefined, problems: Problems): ParseResult {
  if (config && problems.count === 0) return { ok: true, config };
  if (problems.count === 0) problems.add('', 'no configuration could be read');
  return { ok: false, problems: problems.list };
}

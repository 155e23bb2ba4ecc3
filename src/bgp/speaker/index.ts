export { BgpSpeaker } from './speaker.ts';
export { BgpMetrics } from './metrics.ts';
export type { BfdChange, SpeakerConfig, SpeakerOptions, SpeakerProblem } from './speaker.ts';
export { computeRoutes, peersForNode, selectorsMatch } from './compute-routes.ts';
export type { Announcement, ComputedRoutes, NodeInfo } from './compute-routes.ts';

export {
  computeDesired,
  type BgpAnnouncement,
  type Desired,
  type InterfaceChoice,
  type Layer2Announcement,
  type ServiceDecision,
  type SkipReason,
} from './desired.ts';
export type { ServiceView, SpeakerInputs } from './inputs.ts';

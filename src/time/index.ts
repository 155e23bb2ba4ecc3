export type { Clock, Timer, TimerOptions } from './clock.ts';
export { systemClock } from './system-clock.ts';
export { backoffDelay, type BackoffPolicy } from './backoff.ts';
export { TimerGroup } from './timer-group.ts';

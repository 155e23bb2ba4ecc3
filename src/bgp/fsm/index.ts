export * from './types.ts';
export * from './step.ts';
export * from './open-check.ts';
export * from './backoff.ts';

export * from './constants.ts';
export * from './attrs.ts';
export * from './message.ts';
export * from './from-plan.ts';
export * from './address.ts';

export * from './commands.js';
export * from './events.js';
export * from './state.js';
export * from './schedule.js';
export * from './machine.js';
export * from './view.js';
export * from './messages.js';
export type * from './activities.js';
export { systemActor, type Effects, type FollowOnRequest } from './context.js';

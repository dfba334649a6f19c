import './provided.js';

export * from './ids.js';
export * from './logger.js';
export * from './nats.js';
export * from './payload.js';
export * from './temporal.js';

export * from './binaries.js';
export * from './nats-server.js';
export * from './ports.js';
export * from './process.js';
export * from './temporal-dev-server.js';

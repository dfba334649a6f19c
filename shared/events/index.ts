/** Public surface of the event contracts: envelope, subjects and the domain events they carry. */
export * from './cloudevent.js';
export * from './published-event.js';
export * from './subjects.js';
export { domainEventSchema, domainEventTypes, type DomainEvent, type DomainEventType } from '../campaign/domain-events.js';

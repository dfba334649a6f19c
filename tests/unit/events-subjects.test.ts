import { describe, expect, it } from 'vitest';
import {
  allEventsSubject,
  deadLetterPrefix,
  deadLetterSubject,
  eventFilterSubject,
  eventFilterSubjects,
  eventSubject,
  eventsDeadLetterStream,
  subjectMatches,
} from '../../shared/events/subjects.js';

const event = { templateId: 'opcat-ratification', country: 'ID', type: 'reminder-due' } as const;

describe('event subjects', () => {
  it('is <prefix>.<template>.<country>.<type>, country lower-cased', () => {
    expect(eventSubject('advocacy', event)).toBe('advocacy.opcat-ratification.id.reminder-due');
    expect(eventSubject('org.advocacy', event)).toBe('org.advocacy.opcat-ratification.id.reminder-due');
  });

  it('refuses tokens that would change the subject', () => {
    expect(() => eventSubject('advocacy', { ...event, country: 'I.' })).toThrow(/country/);
    expect(() => eventSubject('advocacy', { ...event, templateId: 'a*' })).toThrow(/template id/);
    expect(() => eventSubject('advocacy', { ...event, templateId: 'a b' })).toThrow(/template id/);
  });

  it('covers every event with <prefix>.*.*.*, and not the command subjects', () => {
    expect(allEventsSubject('advocacy')).toBe('advocacy.*.*.*');
    expect(subjectMatches(allEventsSubject('advocacy'), eventSubject('advocacy', event))).toBe(true);
    expect(subjectMatches(allEventsSubject('advocacy'), 'advocacy.commands.id-opcat-1234abcd')).toBe(false);
  });
});

describe('event filters', () => {
  it('puts a wildcard for each field left out', () => {
    expect(eventFilterSubject('advocacy')).toBe('advocacy.*.*.*');
    expect(eventFilterSubject('advocacy', { country: 'PH' })).toBe('advocacy.*.ph.*');
    expect(eventFilterSubject('advocacy', { type: 'milestone-overdue' })).toBe('advocacy.*.*.milestone-overdue');
    expect(eventFilterSubject('advocacy', { templateId: 'opcat', country: 'id', type: 'campaign-started' })).toBe(
      'advocacy.opcat.id.campaign-started',
    );
  });

  it('expands lists into every combination, without repeats', () => {
    expect(eventFilterSubjects('a', { countries: ['ID', 'id', 'PH'], types: ['reminder-due', 'milestone-overdue'] })).toEqual([
      'a.*.id.reminder-due',
      'a.*.id.milestone-overdue',
      'a.*.ph.reminder-due',
      'a.*.ph.milestone-overdue',
    ]);
    expect(eventFilterSubjects('a', {})).toEqual(['a.*.*.*']);
    expect(eventFilterSubjects('a', { templateIds: [] })).toEqual(['a.*.*.*']);
  });

  it('filters select the events they name', () => {
    const subject = eventSubject('advocacy', event);
    expect(subjectMatches(eventFilterSubject('advocacy', { country: 'ID' }), subject)).toBe(true);
    expect(subjectMatches(eventFilterSubject('advocacy', { country: 'PH' }), subject)).toBe(false);
    expect(subjectMatches(eventFilterSubject('advocacy', { type: 'reminder-due' }), subject)).toBe(true);
    expect(subjectMatches(eventFilterSubject('advocacy', { type: 'milestone-overdue' }), subject)).toBe(false);
    expect(subjectMatches(eventFilterSubject('other', {}), subject)).toBe(false);
  });
});

describe('subjectMatches (NATS wildcard semantics)', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*', 'a.b.c', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['>', 'a', true],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.b.c', false],
    ['a.*.c', 'a.b.d', false],
  ])('%s ~ %s = %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});

describe('dead letters', () => {
  it('live outside the events subjects, under the consumer that gave up', () => {
    expect(deadLetterPrefix('advocacy')).toBe('advocacy_dlq');
    const dlq = deadLetterSubject('advocacy', 'notifier', 'advocacy.opcat.id.reminder-due');
    expect(dlq).toBe('advocacy_dlq.notifier.opcat.id.reminder-due');
    expect(subjectMatches(allEventsSubject('advocacy'), dlq)).toBe(false);
    expect(eventsDeadLetterStream('ADVOCACY_EVENTS')).toBe('ADVOCACY_EVENTS_DLQ');
  });

  it('refuses a consumer name that is not one token', () => {
    expect(() => deadLetterSubject('advocacy', 'a.b', 'advocacy.x.y.z')).toThrow(/consumer name/);
  });
});

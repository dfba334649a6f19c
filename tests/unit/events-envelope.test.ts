import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import {
  cloudEventSchema,
  cloudEventSchemaFor,
  cloudEventType,
  eventMessageId,
  parseCloudEvent,
  toCloudEvent,
} from '../../shared/events/index.js';

const completed: DomainEvent = {
  type: 'milestone-completed',
  campaignId: 'opcat-id-2024',
  templateId: 'opcat-ratification',
  templateVersion: 2,
  country: 'ID',
  region: 'asia-pacific',
  sequence: 7,
  occurredAt: '2024-03-05T10:00:00.000Z',
  actor: { id: 'ana', role: 'staff' },
  milestone: 'deposit',
  dueOn: '2024-03-31',
  completedOn: '2024-03-04',
  late: false,
  automatic: false,
};

const paused: DomainEvent = {
  type: 'campaign-paused',
  campaignId: 'opcat-ph-2024',
  templateId: 'opcat-ratification',
  templateVersion: 1,
  country: 'PH',
  region: 'asia-pacific',
  sequence: 3,
  occurredAt: '2024-03-05T10:00:00Z',
};

describe('CloudEvents envelope', () => {
  it('derives every attribute from the domain event', () => {
    expect(toCloudEvent(completed)).toEqual({
      specversion: '1.0',
      id: 'opcat-id-2024:7',
      source: '/advocacy/campaigns/opcat-id-2024',
      type: 'org.advocacy.campaign.milestone-completed.v1',
      subject: 'milestones/deposit',
      time: '2024-03-05T10:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:advocacy:events:milestone-completed:v1',
      data: completed,
    });
  });

  it('uses the campaign id and sequence as id, stable across runs and retries', () => {
    expect(eventMessageId(completed)).toBe('opcat-id-2024:7');
    expect(toCloudEvent({ ...completed }).id).toBe(toCloudEvent(completed).id);
    expect(toCloudEvent({ ...completed, sequence: 8 }).id).toBe('opcat-id-2024:8');
  });

  it('names the campaign as subject of campaign-level events', () => {
    expect(toCloudEvent(paused).subject).toBe('campaign');
  });

  it('escapes campaign ids in the source URI reference', () => {
    expect(toCloudEvent({ ...paused, campaignId: 'a b/c' }).source).toBe('/advocacy/campaigns/a%20b%2Fc');
  });

  it('round-trips through JSON and the schema', () => {
    const parsed = parseCloudEvent(JSON.stringify(toCloudEvent(completed)));
    expect(parsed).toEqual({ ok: true, event: toCloudEvent(completed) });
  });

  it('rejects bodies that are not JSON', () => {
    const parsed = parseCloudEvent('{not json');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/not JSON/);
  });

  it('rejects an envelope whose attributes disagree with its data', () => {
    const ce = toCloudEvent(completed);
    const result = cloudEventSchema.safeParse({ ...ce, id: 'other:1', type: cloudEventType('campaign-paused') });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['id', 'type']);
  });

  it('rejects invalid data, naming the field', () => {
    const parsed = parseCloudEvent(JSON.stringify({ ...toCloudEvent(completed), data: { ...completed, sequence: 0 } }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain('data.sequence');
  });

  it('rejects another specversion', () => {
    expect(cloudEventSchema.safeParse({ ...toCloudEvent(paused), specversion: '0.3' }).success).toBe(false);
  });

  it('has a per-type envelope schema that accepts only its own type', () => {
    const schema = cloudEventSchemaFor('milestone-completed');
    expect(schema.safeParse(toCloudEvent(completed)).success).toBe(true);
    expect(schema.safeParse(toCloudEvent(paused)).success).toBe(false);
    expect(() => cloudEventSchemaFor('nope' as never)).toThrow(/unknown event type/);
  });
});

import { describe, expect, it } from 'vitest';
import { assignCommand } from '../../shared/campaign/commands.js';
import type { DomainEvent } from '../../shared/campaign/domain-events.js';
import { startRequestSchema } from '../../shared/campaign/requests.js';
import { parseCloudEvent, publishedEventSchema, toCloudEvent } from '../../shared/events/index.js';
import { formatIssues } from '../../shared/validation.js';

/**
 * Issue 11: what leaves the engine carries no text a person wrote. Owners are ids, checked where they come
 * in; an owner recorded as a name before that, and an extension's legal basis, stay in the campaign's
 * history and out of the published event.
 */
const common = {
  campaignId: 'opcat-id-2024',
  templateId: 'opcat-ratification',
  templateVersion: 2,
  country: 'ID',
  region: 'asia-pacific',
  sequence: 9,
  occurredAt: '2024-03-05T10:00:00.000Z',
} as const;

const reminder = (owner: string): DomainEvent => ({
  ...common,
  type: 'reminder-due',
  milestone: 'deposit',
  dueOn: '2024-03-31',
  remindBefore: 'P7D',
  owner,
});

describe('published events', () => {
  it('keep an owner that is an id', () => {
    expect(toCloudEvent(reminder('sari')).data).toEqual(reminder('sari'));
  });

  it("leave out an owner recorded as a name, and an extension's legal basis", () => {
    const { owner, ...rest } = reminder('Sari Wulandari, NHRI liaison') as Extract<DomainEvent, { type: 'reminder-due' }>;
    expect(owner).toBe('Sari Wulandari, NHRI liaison');
    expect(toCloudEvent(reminder('Sari Wulandari, NHRI liaison')).data).toEqual(rest);

    const extended: DomainEvent = {
      ...common,
      type: 'deadline-extended',
      milestone: 'deposit',
      previousDueOn: '2024-03-31',
      dueOn: '2024-04-30',
      by: 'P1M',
      legalBasis: 'letter of the minister to Ms X about detainee Y',
    };
    const data = toCloudEvent(extended).data;
    expect(data).not.toHaveProperty('legalBasis');
    expect(JSON.stringify(data)).not.toMatch(/minister|detainee/);
    expect(publishedEventSchema.parse(data)).toEqual(data);
  });

  it('are refused by subscribers when an owner is not an id, naming the field', () => {
    const forged = { ...toCloudEvent(reminder('sari')), data: reminder('Sari Wulandari') };
    const parsed = parseCloudEvent(JSON.stringify(forged));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(/an id, not a name[\s\S]*→ at data\.owner/);
  });
});

describe('owners come in as ids', () => {
  it('refuses a name as the owner of a milestone or a campaign, naming the field', () => {
    const who = { type: 'assign', requestId: 'req-1', actor: { id: 'sari', role: 'staff' } } as const;
    const assigned = assignCommand.safeParse({ ...who, milestone: 'deposit', owner: 'Sari Wulandari' });
    expect(assigned.success).toBe(false);
    expect(formatIssues(assigned.error!)).toEqual([expect.stringMatching(/^owner: an id, not a name: /)]);
    const started = startRequestSchema.safeParse({ template: 'opcat-ratification', country: 'ID', owner: 'Jakarta office' });
    expect(started.success).toBe(false);
    expect(formatIssues(started.error!)).toEqual([expect.stringMatching(/^owner: an id, not a name: /)]);
    expect(assignCommand.parse({ ...who, milestone: 'deposit', owner: 'legal-team' }).owner).toBe('legal-team');
  });
});

/**
 * Regression examples found by the property tests of command messages: names that every JavaScript
 * object already has (`constructor`, `toString`, `__proto__`) used as request ids, input names or
 * evidence fields must not be "found" on a record's prototype.
 */
import { describe, expect, it } from 'vitest';
import { applyCommand, campaignCommandSchema, startCampaign, startCampaignSchema } from '../../shared/campaign/index.js';
import { formatIssues } from '../../shared/validation.js';
import { parseTemplate } from '../../shared/template/index.js';
import { cmd, lead, on, opcatLike, startRequest } from '../support/templates/index.js';

const started = () =>
  startCampaign(startRequest(opcatLike(), { startDate: '2024-01-02', inputs: { uncatStatus: 'ratified' } }), on('2024-01-02')).state;

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error ? formatIssues(result.error) : [];

describe('names every object has', () => {
  it('a request id "constructor" is a new request, not the result of an earlier one', () => {
    const state = started();
    const command = cmd.note('called the ministry', undefined, { requestId: 'constructor' });
    const first = applyCommand(state, command, on('2024-01-03'));
    expect(first.result).toEqual({ ok: true, requestId: 'constructor', events: [expect.any(Number)] });
    const again = applyCommand(first.state, command, on('2024-01-03'));
    expect(again.result).toEqual(first.result);
    expect(again.state).toBe(first.state);
  });

  it('refuses "__proto__" as a request id, naming the field', () => {
    const parsed = campaignCommandSchema.safeParse({ ...cmd.note('x'), requestId: '__proto__' });
    expect(issues(parsed)).toEqual(['requestId: "__proto__" is reserved; choose another request id']);
  });

  it('refuses "toString" as an input name in set-input, a start and a template', () => {
    const setInput = campaignCommandSchema.safeParse({ ...cmd.setInput('toString', 'x'), actor: lead });
    expect(issues(setInput)).toEqual(['name: a name every JavaScript object already has; choose another (e.g. "lawNumber")']);
    const start = startCampaignSchema.safeParse({ ...startRequest(opcatLike()), inputs: { toString: 'x' } });
    expect(issues(start)).toEqual(['inputs.toString: Invalid key in record']);
    expect(() =>
      parseTemplate({
        id: 't',
        version: 1,
        title: 'T',
        inputs: { constructor: { type: 'string' } },
        milestones: [{ id: 'a', title: 'A' }],
      }),
    ).toThrow(expect.objectContaining({ name: 'TemplateError', problems: ['inputs.constructor: Invalid key in record'] }) as Error);
  });
});

/**
 * Issue 11: no amount of use grows a campaign past what Temporal carries (a 2 MB payload: the state
 * travels whole in view queries, update results and continue-as-new). Notes fill the history up to its
 * budget and are then refused with what to do; request ids are remembered up to a bound.
 */
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  HISTORY_BUDGET,
  historySize,
  REQUESTS_REMEMBERED,
  startCampaign,
  type CampaignState,
} from '../../shared/campaign/index.js';
import { cmd, linear, on, startRequest } from '../support/templates/index.js';

const TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024;

describe('a campaign stays within what Temporal carries', () => {
  it('takes the longest notes until the history is full, then refuses them, never pause, resume or cancel', () => {
    let state: CampaignState = startCampaign(startRequest(linear()), on('2024-01-01')).state;
    const longest = 'n'.repeat(4000); // the longest note a command may carry
    let taken = 0;
    for (;;) {
      const outcome = applyCommand(state, cmd.note(`${taken} ${longest}`.slice(0, 4000)), on('2024-01-02'));
      if (!outcome.result.ok) {
        expect(outcome.result).toMatchObject({ code: 'precondition' });
        expect(outcome.result.ok ? '' : outcome.result.message).toMatch(
          /^the campaign's history is full: it holds \d+ KB of notes, reasons and evidence, and a campaign may hold 1000 KB .*; pausing, resuming and cancelling still work$/,
        );
        expect(outcome.state).toBe(state);
        break;
      }
      state = outcome.state;
      taken++;
      expect(taken, 'notes are refused at some point').toBeLessThan(1000);
    }
    expect(taken).toBeGreaterThan(200);
    expect(historySize(state)).toBeLessThanOrEqual(HISTORY_BUDGET);
    expect(JSON.stringify(state).length).toBeLessThan(TEMPORAL_PAYLOAD_LIMIT / 2 + 100_000);

    // Evidence and reasons count against the same budget; changing the campaign's course does not.
    expect(applyCommand(state, cmd.complete('first', '2024-01-02', { note: longest }), on('2024-01-02')).result).toMatchObject({
      ok: false,
      code: 'precondition',
    });
    const paused = applyCommand(state, cmd.pause(), on('2024-01-03'));
    expect(paused.result).toMatchObject({ ok: true });
    const resumed = applyCommand(paused.state, cmd.resume(), on('2024-01-04'));
    expect(resumed.result).toMatchObject({ ok: true });
    const cancelled = applyCommand(resumed.state, cmd.cancel(), on('2024-01-05'));
    expect(cancelled.result).toMatchObject({ ok: true });
    expect(cancelled.state.status).toBe('cancelled');
  });

  it('remembers the latest request ids only, oldest forgotten first', () => {
    let state: CampaignState = startCampaign(startRequest(linear()), on('2024-01-01')).state;
    // As after many earlier commands (applying them one by one would only take longer).
    const ids = Array.from({ length: REQUESTS_REMEMBERED - 10 }, (_, i) => `earlier-${i}`);
    for (const requestId of ids) state.requests[requestId] = { ok: true, requestId, events: [] };
    for (let i = 0; i < 60; i++) {
      const note = cmd.note(`short note ${i}`, undefined, { requestId: `req-${i}` });
      ids.push(note.requestId);
      const outcome = applyCommand(state, note, on('2024-01-02'));
      expect(outcome.result.ok).toBe(true);
      state = outcome.state;
    }
    expect(Object.keys(state.requests)).toEqual(ids.slice(-REQUESTS_REMEMBERED));
    // A retry of a remembered request gets its first answer and changes nothing.
    const last = ids.at(-1) as string;
    const repeat = applyCommand(state, cmd.note(`short note again`, undefined, { requestId: last }), on('2024-01-03'));
    expect(repeat.state).toBe(state);
    expect(repeat.result).toEqual(state.requests[last]);
    expect(repeat.effects.events).toEqual([]);
  });
});

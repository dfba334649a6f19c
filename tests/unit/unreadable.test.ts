import { describe, expect, it } from 'vitest';
import { recordProblem, solveProblem, startCampaign, startCampaignSchema, type ProblemSubject } from '../../shared/campaign/index.js';
import { describeUnreadable, executionOf, listStatus, unreadableLines, type UnreadableFacts } from '../../shared/campaign/unreadable.js';
import { startOfDay } from '../../shared/dates.js';
import { parseTemplate } from '../../shared/template/index.js';

const facts = (problem: UnreadableFacts['problem'], extra: Partial<UnreadableFacts> = {}): UnreadableFacts => ({
  campaignId: 'ph-opcat-1',
  country: 'PH',
  template: 'opcat-ratification',
  problem,
  taskQueue: 'advocacy-campaigns',
  timeoutMs: 5000,
  ...extra,
});

describe('campaigns that cannot be read', () => {
  it("names Temporal's execution statuses in the engine's words and derives the list status", () => {
    expect(
      ['RUNNING', 'COMPLETED', 'FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT', 'CONTINUED_AS_NEW', 'UNSPECIFIED', undefined].map(
        executionOf,
      ),
    ).toEqual(['running', 'completed', 'failed', 'terminated', 'cancelled', 'timed-out', 'continued-as-new', 'unknown', 'unknown']);
    expect(listStatus('active', 'running')).toBe('active');
    expect(listStatus('completed', 'completed')).toBe('completed');
    expect(listStatus('active', 'failed')).toBe('failed');
    expect(listStatus('paused', 'terminated')).toBe('terminated');
    expect(listStatus('active', 'cancelled')).toBe('terminated');
    expect(listStatus('active', 'timed-out')).toBe('timed-out');
  });

  it('says what happened and what to do, for each problem', () => {
    const url = 'http://ui.test/namespaces/default/workflows/ph-opcat-1';
    expect(describeUnreadable(facts('terminated', { detail: 'cleanup', temporalUrl: url }))).toEqual({
      campaignId: 'ph-opcat-1',
      country: 'PH',
      template: 'opcat-ratification',
      problem: 'terminated',
      message: "the campaign's workflow was stopped by an operator in Temporal: cleanup",
      action:
        `see it in the Temporal UI at ${url}; if it was stopped by mistake, restart it from its last good state with ` +
        '`temporal workflow reset --workflow-id ph-opcat-1 --type LastWorkflowTask --reason "<why>"`',
      temporalUrl: url,
    });
    expect(
      describeUnreadable(facts('failed', { detail: 'The campaign cannot start:\n  - x', failureType: 'invalid-start' })),
    ).toMatchObject({
      message: "the campaign's workflow failed: The campaign cannot start: - x",
      action: 'it never started: start the campaign again with valid input; see workflow ph-opcat-1 in the Temporal UI',
    });
    expect(describeUnreadable(facts('failed', { detail: 'boom' })).action).toMatch(
      /; once the cause is fixed, restart it from its last good state with `temporal workflow reset/,
    );
    expect(describeUnreadable(facts('no-answer')).message).toBe('no engine worker answered for the campaign within 5 s');
    expect(describeUnreadable(facts('no-answer')).action).toMatch(
      /^check that an engine worker \(`npm run worker`\) runs and polls task queue "advocacy-campaigns"/,
    );
    expect(describeUnreadable(facts('stuck')).message).toBe(
      'the engine worker cannot run the campaign: its workflow task fails again and again',
    );
    expect(describeUnreadable(facts('query-failed', { detail: 'oops' })).message).toBe(
      "the engine could not compute the campaign's view: oops",
    );
    expect(unreadableLines([describeUnreadable(facts('timed-out'))])).toEqual([
      `ph-opcat-1 (PH): the campaign's workflow timed out. What to do: see workflow ph-opcat-1 in the Temporal UI; restart it from its last good state with \`temporal workflow reset --workflow-id ph-opcat-1 --type LastWorkflowTask --reason "<why>"\``,
    ]);
  });
});

describe('campaign problems (what the engine could not do yet)', () => {
  const template = parseTemplate({
    id: 'p',
    version: 1,
    title: 'P',
    milestones: [{ id: 'one', title: 'One', followOn: [{ template: 'ghost' }] }],
  });
  const state = startCampaign(
    startCampaignSchema.parse({
      campaignId: 'c1',
      template,
      country: 'FJ',
      region: 'pacific',
      startDate: '2026-01-01',
      actor: { id: 'a', role: 'programme-lead' },
    }),
    startOfDay('2026-01-01'),
  ).state;
  const subject: ProblemSubject = { kind: 'follow-on', milestone: 'one', templateId: 'ghost', campaignId: 'c1~ghost' };

  it('records a problem once in the history, counts further failed rounds, and clears it when done', () => {
    const first = recordProblem(state, subject, 'template ghost is not known', startOfDay('2026-01-02'));
    expect(first.problems).toEqual([
      {
        ...subject,
        message: 'template ghost is not known',
        since: '2026-01-02T00:00:00.000Z',
        attempts: 1,
        action: expect.stringMatching(
          /^make template ghost known to the engine worker .* `advocacy campaign start --template ghost --id c1~ghost`$/,
        ) as unknown,
      },
    ]);
    expect(first.history.at(-1)).toMatchObject({
      action: 'follow-on not started',
      milestone: 'one',
      detail: 'ghost: template ghost is not known',
    });
    const again = recordProblem(first, subject, 'still not known', startOfDay('2026-01-03'));
    expect(again.problems?.[0]).toMatchObject({ attempts: 2, message: 'still not known', since: '2026-01-02T00:00:00.000Z' });
    expect(again.history).toHaveLength(first.history.length);

    const solved = solveProblem(again, subject, startOfDay('2026-01-04'));
    expect(solved.problems).toBeUndefined();
    expect(solved.history.at(-1)).toMatchObject({ action: 'follow-on started after a retry', milestone: 'one' });
    // Nothing to solve: the very same state, so campaigns without problems never change.
    expect(solveProblem(state, subject, startOfDay('2026-01-04'))).toBe(state);
    expect('problems' in state).toBe(false);
  });
});

import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import { installTestRuntime, loadWorkflowBundle } from '../support/index.js';
import { bundleForReplayCheck, formatMismatches, replayAndCompare } from '../support/replay-check.js';

/**
 * Recorded histories of every released workflow shape (scripts/record-histories.ts) replayed against
 * today's workflow code: a non-deterministic change fails here and must be guarded with `patched()`.
 * Beyond Temporal's own check, what the replay sends out (the events it publishes, the inputs of its
 * other activities, child starts and continue-as-new) must equal what the history recorded.
 */
const dir = join(repoRoot, 'tests', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const readHistoryJson = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as { events: Record<string, unknown>[] };

let bundle: WorkflowBundle;
beforeAll(async () => {
  installTestRuntime();
  bundle = await bundleForReplayCheck();
});

describe('replay of recorded campaign histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays deterministically and sends what it recorded', async (file) => {
    const history = historyFromJSON(readHistoryJson(file));
    expect(history.events?.length).toBeGreaterThan(10);
    const mismatches = await replayAndCompare(bundle, history, file);
    if (mismatches.length > 0) expect.fail(formatMismatches(file, mismatches));
  });
});

type HistoryEvent = Record<string, unknown> & { eventType: string };
const eventsOf = (file: string) => readHistoryJson(file).events as HistoryEvent[];

/**
 * What each scenario's history exists for (scenario = the file name after `campaign-<label>-`): a
 * re-recording that lost the shape would leave that case untested, so it fails here.
 */
const shapes: Record<string, { holds: string; test: (events: HistoryEvent[]) => boolean }> = {
  'timer-fired': {
    holds: 'a fired timer',
    test: (events) => events.some((e) => e.eventType === 'EVENT_TYPE_TIMER_FIRED'),
  },
  'continue-as-new': {
    holds: 'a first run that continues as new',
    test: (events) => events.at(-1)?.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
  },
  'continue-as-new-next-run': {
    holds: 'a run started by continue-as-new',
    test: (events) => {
      const started = events[0]?.workflowExecutionStartedEventAttributes as { continuedExecutionRunId?: string } | undefined;
      return Boolean(started?.continuedExecutionRunId);
    },
  },
  'publish-retried': {
    holds: 'publishEvents started on a later attempt, with the failure of the one before',
    test: (events) =>
      events.some((e) => {
        const started = e.activityTaskStartedEventAttributes as { attempt?: number; lastFailure?: { message?: string } } | undefined;
        return (started?.attempt ?? 1) > 1 && Boolean(started?.lastFailure?.message);
      }),
  },
};

describe('recorded histories keep the shapes they were recorded for', () => {
  const scenarioOf = (file: string) => file.replace(/^campaign-[^-]+-/, '').replace(/\.json$/, '');
  const shaped = files.filter((f) => shapes[scenarioOf(f)]);

  it('has a history of every shape', () => {
    expect(new Set(shaped.map(scenarioOf))).toEqual(new Set(Object.keys(shapes)));
  });

  it.each(shaped)('%s holds what it was recorded for', (file) => {
    const shape = shapes[scenarioOf(file)]!;
    expect(shape.test(eventsOf(file)), `${file} should hold ${shape.holds}`).toBe(true);
  });
});

describe('the replay check compares content', () => {
  it('reports a publishEvents input that differs from the recorded one, which plain replay accepts', async () => {
    const file = 'campaign-v2-opcat-steered.json';
    const json = readHistoryJson(file);
    // Edit the first recorded batch of events: the replay will publish the original one.
    const scheduled = json.events.find(
      (e) =>
        (e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined)?.activityType?.name ===
        'publishEvents',
    )!.activityTaskScheduledEventAttributes as { activityId: string; input: { payloads: { data: string }[] } };
    const payload = scheduled.input.payloads[0]!;
    const batch = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { type: string; milestone?: string }[];
    const index = batch.findIndex((e) => e.type === 'milestone-completed');
    const original = batch[index]!.milestone;
    batch[index]!.milestone = 'edited-milestone';
    payload.data = Buffer.from(JSON.stringify(batch)).toString('base64');
    const edited = historyFromJSON(json);

    // Temporal's replay alone does not see it: commands are matched by type and id, not by input.
    await Worker.runReplayHistory({ workflowBundle: await loadWorkflowBundle() }, edited, `${file} (edited)`);

    const mismatches = await replayAndCompare(bundle, edited, `${file} (edited)`);
    expect(mismatches).toEqual([
      {
        kind: 'activity',
        id: scheduled.activityId,
        type: 'publishEvents',
        differences: [`[0][${index}].milestone: recorded "edited-milestone", replayed ${JSON.stringify(original)}`],
      },
    ]);
    expect(formatMismatches(file, mismatches)).toContain(`activity ${scheduled.activityId} (publishEvents):`);
  });
});

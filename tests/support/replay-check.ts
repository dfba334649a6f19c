import { defaultPayloadConverter } from '@temporalio/common';
import type { History, Payload } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Worker, bundleWorkflowCode, type InjectedSinks, type WorkflowBundle } from '@temporalio/worker';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { ReplayCaptureSinks, SentCommand } from '../fixtures/replay-capture-interceptors.js';

/**
 * Replay that also checks content: Temporal's replay matches each command with the history by type and
 * id only, so a change to what a campaign publishes (its events), to a child's start input or to the
 * continue-as-new input replays fine. This check captures those inputs during replay (the interceptors
 * in tests/fixtures/replay-capture-interceptors.ts) and compares them, as JSON, with the inputs the
 * history recorded: a content change for running campaigns then fails unless it sits behind `patched()`.
 */

export type { SentCommand };

export interface OutputMismatch {
  kind: SentCommand['kind'];
  id: string;
  type: string;
  /** Readable differences: `[0][2].milestone: recorded "deposit", replayed "signature"`. */
  differences: string[];
}

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const interceptorModule = fileURLToPath(new URL('../fixtures/replay-capture-interceptors.ts', import.meta.url));

/** The workflows of workflows/index.ts with the capture interceptors: for replay only, never deployed. */
export async function bundleForReplayCheck(): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [interceptorModule],
    logger: new DefaultLogger('WARN'),
  });
  return { code };
}

function decode(payloads: Payload[] | null | undefined): unknown[] {
  return (payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p));
}

/** What the history says the workflow sent out, in history order. */
export function recordedCommands(history: History): SentCommand[] {
  const sent: SentCommand[] = [];
  for (const event of history.events ?? []) {
    const activity = event.activityTaskScheduledEventAttributes;
    if (activity)
      sent.push({
        kind: 'activity',
        id: activity.activityId ?? '',
        type: activity.activityType?.name ?? '',
        args: decode(activity.input?.payloads),
      });
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child)
      sent.push({
        kind: 'child-workflow',
        id: child.workflowId ?? '',
        type: child.workflowType?.name ?? '',
        args: decode(child.input?.payloads),
      });
    const continued = event.workflowExecutionContinuedAsNewEventAttributes;
    if (continued)
      sent.push({
        kind: 'continue-as-new',
        id: 'continue-as-new',
        type: continued.workflowType?.name ?? '',
        args: decode(continued.input?.payloads),
      });
  }
  return sent;
}

/** The arguments as they would be stored: through the same payload converter, so `undefined` fields drop out. */
function asStored(args: unknown[]): unknown[] {
  return args.map((a) => defaultPayloadConverter.fromPayload(defaultPayloadConverter.toPayload(a)));
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Paths where two JSON values differ, at most `limit` of them. */
export function jsonDifferences(recorded: unknown, replayed: unknown, path = '', out: string[] = [], limit = 10): string[] {
  if (out.length >= limit || isDeepStrictEqual(recorded, replayed)) return out;
  const bothArrays = Array.isArray(recorded) && Array.isArray(replayed);
  const bothObjects =
    typeof recorded === 'object' &&
    recorded !== null &&
    typeof replayed === 'object' &&
    replayed !== null &&
    !Array.isArray(recorded) &&
    !Array.isArray(replayed);
  if (bothArrays) {
    for (let i = 0; i < Math.max(recorded.length, replayed.length); i++)
      jsonDifferences(recorded[i], replayed[i], `${path}[${i}]`, out, limit);
  } else if (bothObjects) {
    const r = recorded as Record<string, unknown>;
    const p = replayed as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(r), ...Object.keys(p)])]) jsonDifferences(r[key], p[key], `${path}.${key}`, out, limit);
  } else {
    out.push(`${path || '(input)'}: recorded ${show(recorded)}, replayed ${show(replayed)}`);
  }
  return out;
}

/**
 * Pairs recorded and replayed commands by kind and id (the n-th of each, should an id repeat) and
 * reports every one that differs, is missing from the replay, or was not recorded.
 */
export function compareCommands(recorded: SentCommand[], replayed: SentCommand[]): OutputMismatch[] {
  const keyed = (list: SentCommand[]) => {
    const seen = new Map<string, number>();
    return list.map((c) => {
      const base = `${c.kind} ${c.id}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return [`${base}#${n}`, c] as const;
    });
  };
  const replayedByKey = new Map(keyed(replayed));
  const mismatches: OutputMismatch[] = [];
  for (const [key, r] of keyed(recorded)) {
    const p = replayedByKey.get(key);
    replayedByKey.delete(key);
    if (!p) {
      mismatches.push({ kind: r.kind, id: r.id, type: r.type, differences: ['recorded, but the replay did not send it'] });
      continue;
    }
    const differences = [
      ...(p.type !== r.type ? [`type: recorded ${r.type}, replayed ${p.type}`] : []),
      ...jsonDifferences(r.args, asStored(p.args)),
    ];
    if (differences.length > 0) mismatches.push({ kind: r.kind, id: r.id, type: r.type, differences });
  }
  for (const p of replayedByKey.values())
    mismatches.push({ kind: p.kind, id: p.id, type: p.type, differences: ['sent by the replay, but not recorded'] });
  return mismatches;
}

export function formatMismatches(name: string, mismatches: OutputMismatch[]): string {
  return [
    `${name}: the replay sends other content than the history recorded (guard the change with patched()):`,
    ...mismatches.map((m) => `  ${m.kind} ${m.id} (${m.type}):\n${m.differences.map((d) => `    ${d}`).join('\n')}`),
  ].join('\n');
}

/**
 * Replays `history` (failing on non-determinism as usual) and returns how its activity inputs, child
 * starts and continue-as-new input differ from the recorded ones; an empty list when they agree.
 */
export async function replayAndCompare(bundle: WorkflowBundle, history: History, name: string): Promise<OutputMismatch[]> {
  const replayed: SentCommand[] = [];
  const sinks: InjectedSinks<ReplayCaptureSinks> = {
    replayCapture: { sent: { fn: (_info, command) => void replayed.push(command), callDuringReplay: true } },
  };
  await Worker.runReplayHistory({ workflowBundle: bundle, sinks }, history, name);
  return compareCommands(recordedCommands(history), replayed);
}

import { performance } from 'node:perf_hooks';

/**
 * Every benchmark loop is bounded twice: by a count and by wall time, whichever ends it first, so a
 * slow storage mode shortens a phase instead of stretching the run.
 */
export interface Bounds {
  /** At most this many operations. */
  count: number;
  /** No operation starts after this many milliseconds. */
  timeMs: number;
  /** Operations in flight at once (default 1). */
  concurrency?: number;
}

export interface LoopOutcome {
  /** Operations that resolved. */
  completed: number;
  /** Operations that threw. */
  failed: number;
  /** The first error's message, if any failed. */
  firstError?: string;
  elapsedMs: number;
  /** What ended the loop. */
  stoppedBy: 'count' | 'time';
}

/**
 * Runs `op(i)` for i = 0, 1, ... with `concurrency` lanes until `count` operations were started or
 * `timeMs` passed; waits for those in flight. Failures are counted, never rethrown (a phase reports
 * them); `op` records its own samples.
 */
export async function bounded(bounds: Bounds, op: (i: number) => Promise<void>): Promise<LoopOutcome> {
  const lanes = Math.max(1, Math.min(bounds.concurrency ?? 1, bounds.count));
  const started = performance.now();
  const deadline = started + bounds.timeMs;
  let next = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  let timedOut = false;
  const lane = async () => {
    while (next < bounds.count) {
      if (performance.now() >= deadline) {
        timedOut = true;
        return;
      }
      const i = next++;
      try {
        await op(i);
        completed++;
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return {
    completed,
    failed,
    ...(firstError !== undefined ? { firstError } : {}),
    elapsedMs: performance.now() - started,
    stoppedBy: timedOut && next < bounds.count ? 'time' : 'count',
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns the same value `stableFor` times in a row (the system went quiet) or
 * `timeoutMs` passed. Returns whether it settled.
 */
export async function settle<T>(
  probe: () => Promise<T>,
  options: { intervalMs?: number; stableFor?: number; timeoutMs: number },
): Promise<boolean> {
  const interval = options.intervalMs ?? 250;
  const needed = options.stableFor ?? 3;
  const deadline = performance.now() + options.timeoutMs;
  let last: string | undefined;
  let same = 0;
  while (performance.now() < deadline) {
    const value = JSON.stringify(await probe());
    same = value === last ? same + 1 : 0;
    last = value;
    if (same >= needed) return true;
    await sleep(interval);
  }
  return false;
}

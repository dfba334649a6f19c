import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot, startNatsServer, type NatsServer } from '../../infra/servers/index.js';
import { Leg, type LegFigures } from '../support/fault-run/leg.js';
import { RestartableTemporal, type FaultKind } from '../support/fault-run/faults.js';
import { writeTemplateFiles } from '../support/fault-run/templates.js';
import { installTestRuntime, registerSearchAttributes, timeSkippingOptions, uniqueId } from '../support/index.js';
import { roundsFromEnv, seededRandom, seedFromEnv, type Random } from '../support/random.js';

/**
 * The randomized fault run (RELIABILITY.md): commands from the CLI, the HTTP API and NATS, interleaved
 * across many campaigns, while the engine worker, nats-server and the Temporal server are crashed
 * (SIGKILL, with work in flight) and restarted on their data; then every campaign is checked against the
 * pure state machine run over the commands it accepted, and its events in the stream against what the
 * machine emitted (tests/support/fault-run/check.ts). It starts its own servers: it kills them.
 *
 * Two legs, because no one server offers both time skipping and a restart on its data, and the engine's
 * timers fall due at midnights (deadlines and reminders are days):
 * - the time-skipping test server (in memory): days are skipped so that deadlines, reminders and
 *   automatic milestones fall due, and nats-server (with FAULT_WORKER_TIMERS=1 the worker too) crashes as
 *   the first of them falls due;
 * - a Temporal dev server on a SQLite file: the Temporal server itself crashes too, with commands in
 *   flight from all three interfaces (timers there fall due at real midnights only).
 *
 * FAULT_SEED=<n> repeats a run's choices (the seed is printed at the end and in any failure);
 * FAULT_ROUNDS=<n> (default 2) runs more rounds, with more campaigns, commands and faults, and now and then
 * two processes down at once; FAULT_WORKER_TIMERS=1 also crashes the worker as timers fall due. The figures go to test-artifacts/fault-run.json.
 */
const seed = seedFromEnv('FAULT_SEED');
const rounds = roundsFromEnv('FAULT_ROUNDS', 2);
const long = rounds > 2;
/**
 * The worker crashed while timers fall due (time-skipping leg), too: off by default while a campaign
 * history there can fail to replay (RELIABILITY.md, "Found by the run and open").
 */
const workerAcrossTimers = process.env.FAULT_WORKER_TIMERS === '1';
const scale = {
  campaigns: Math.min(8 + 4 * (rounds - 2), 40),
  rounds,
  commands: 12,
  concurrency: long ? 6 : 4,
  lateStarts: Math.min(2 + (rounds - 2), 8),
};
// Per round: a burst, a skip and the checks' share; the rest is starting servers and workers.
const legTimeoutMs = 300_000 + rounds * 150_000;
const viaWeights = [
  ['api', 5],
  ['nats', 5],
  ['cli', 1.5],
] as const;

const random = seededRandom(seed);
// One stream of choices per leg, so that each leg repeats on its own from the seed.
const rnds = { skipping: random.fork(), dev: random.fork() };
const figures: LegFigures[] = [];
const failures: string[] = [];
const started = Date.now();
const log = (message: string) => {
  if (process.env.FAULT_VERBOSE) process.stderr.write(`[fault-run] ${message}\n`);
};

/** The faults of each round: every kind at least once, in an order (and with overlaps) from the seed. */
function schedule(rnd: Random, rounds: number, kinds: FaultKind[]): FaultKind[][] {
  const order = [...kinds].sort(() => rnd.next() - 0.5);
  return Array.from({ length: rounds }, (_, i) => {
    const planned = i < order.length ? [order[i] as FaultKind] : [rnd.pick(kinds)];
    // Now and then two processes down at once (in longer runs).
    if (long && kinds.length > 1 && rnd.chance(0.3)) planned.push(rnd.pick(kinds.filter((k) => k !== planned[0])));
    return planned;
  });
}

/** The error, with what each campaign waits for (and its history saved) when the run got that far. */
async function withDiagnosis(err: unknown, leg: Leg | undefined): Promise<unknown> {
  if (!(err instanceof Error)) return err;
  const diagnosis = leg ? await leg.diagnose().catch((e: unknown) => `(no diagnosis: ${String(e)})`) : '';
  failures.push(`${leg?.options.name ?? 'setup'}: ${err.message}`);
  err.message = `${err.message}\nRepeat with FAULT_SEED=${seed} FAULT_ROUNDS=${rounds}.\n${diagnosis}`;
  return err;
}

describe('the randomized fault run', () => {
  let dir: string;
  let templatesDir: string;
  let nats: NatsServer;

  beforeAll(async () => {
    installTestRuntime();
    dir = join(inject('runDir'), uniqueId('fault-run'));
    templatesDir = writeTemplateFiles(join(dir, 'templates'));
    nats = await startNatsServer({ storeDir: join(dir, 'nats-store'), logDir: dir });
  });

  afterAll(async () => {
    await nats?.stop();
    const summary = {
      seed,
      rounds,
      workerAcrossTimers,
      durationMs: Date.now() - started,
      totals: {
        campaigns: sum((f) => f.campaigns),
        commands: sum((f) => f.commands.sent),
        accepted: sum((f) => f.commands.accepted),
        refused: sum((f) => f.commands.refused),
        faults: sum((f) => f.faults.total),
        faultsByKind: {
          worker: sum((f) => f.faults.byKind.worker),
          nats: sum((f) => f.faults.byKind.nats),
          temporal: sum((f) => f.faults.byKind.temporal),
        },
        faultsWithWorkInFlight: sum((f) => f.faults.withWorkInFlight),
        starts: sum((f) => f.starts.started),
        timersFired: sum((f) => f.timers.fired),
        timerEvents: {
          reminders: sum((f) => f.timers.reminders),
          overdue: sum((f) => f.timers.overdue),
          automatic: sum((f) => f.timers.automatic),
        },
        timersAcrossFaults: sum((f) => f.timers.acrossFaults),
        eventsChecked: sum((f) => f.events.checked),
        duplicateAcksAbsorbed: sum((f) => f.events.duplicateAcksAbsorbed),
      },
      legs: figures,
      failures,
    };
    const artifacts = join(repoRoot, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'fault-run.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const t = summary.totals;
    process.stdout.write(
      `\n[fault-run] seed ${seed}, ${rounds} rounds: ${t.campaigns} campaigns, ${t.commands} commands ` +
        `(${t.accepted} accepted, ${t.refused} refused), ${t.faults} faults (worker ${t.faultsByKind.worker}, ` +
        `nats ${t.faultsByKind.nats}, temporal ${t.faultsByKind.temporal}; ${t.faultsWithWorkInFlight} with work in flight), ` +
        `${t.timersFired} timers fired (${t.timerEvents.reminders} reminders, ${t.timerEvents.overdue} overdue notices, ` +
        `${t.timerEvents.automatic} automatic completions; ${t.timersAcrossFaults} due inside an outage), ${t.eventsChecked} events checked, ` +
        `${t.duplicateAcksAbsorbed} duplicate publishes absorbed, ${Math.round(summary.durationMs / 1000)} s. ` +
        `Repeat with FAULT_SEED=${seed} FAULT_ROUNDS=${rounds}; figures in test-artifacts/fault-run.json\n`,
    );
  });

  const sum = (f: (l: LegFigures) => number) => figures.reduce((n, l) => n + f(l), 0);

  const finish = async (leg: Leg) => {
    const { checks, figures: legFigures } = await leg.verify();
    figures.push(legFigures);
    const problems = checks.flatMap((c) => c.problems.map((p) => `${leg.options.name} ${c.campaignId}: ${p}`));
    failures.push(...problems);
    expect(problems).toEqual([]);
    return legFigures;
  };

  it(
    'time-skipping server: nats-server (and the worker, with FAULT_WORKER_TIMERS=1) crashes as deadlines and reminders fall due',
    { timeout: legTimeoutMs },
    async () => {
      const rnd = rnds.skipping;
      const env = await TestWorkflowEnvironment.createTimeSkipping(timeSkippingOptions());
      let leg: Leg | undefined;
      try {
        const namespace = env.namespace ?? 'default';
        await registerSearchAttributes(env.connection, namespace);
        leg = await Leg.open({
          name: 'time-skipping',
          rnd,
          dir: join(dir, 'time-skipping'),
          templatesDir,
          bundlePath: inject('workflowBundlePath') ?? undefined,
          temporalAddress: env.address,
          namespace,
          connection: env.connection,
          nats,
          now: () => env.currentTimeMs(),
          concurrency: scale.concurrency,
          // See RELIABILITY.md: on the Java test server the CLI and the API (which read the campaign back
          // after each command) and the facade's start (which queries the new campaign) left query-made
          // workflow tasks in history that a worker replaying it after a crash rejected.
          viaWeights: [['nats', 1]],
          startWeights: [['direct', 1]],
          // The test server never moves tasks off a dead worker's sticky queue, so a worker that is crashed
          // here runs without a workflow cache, and then replays every task (RELIABILITY.md: an open finding).
          ...(workerAcrossTimers ? { workerEnv: { WORKER_MAX_CACHED_WORKFLOWS: '0' } } : {}),
          log,
        });
        const current = leg;
        await current.phase('worker start', () => current.worker.start());
        await current.phase('starts', () => current.driver.startCampaigns(scale.campaigns));
        // Every round skips days with a crash inside: nats-server, and the worker in turn with it when
        // FAULT_WORKER_TIMERS=1; crashes with commands in flight are the dev-server leg's.
        const duringSkips = schedule(rnd, scale.rounds, workerAcrossTimers ? ['nats', 'worker'] : ['nats']);
        for (let round = 0; round < scale.rounds; round++) {
          await current.phase(`burst ${round + 1}`, () => current.burst(scale.commands));
          const [fault] = duringSkips[round] ?? [];
          await current.phase(`skip ${round + 1}`, () => current.skip(rnd.int(10, 25), (ms) => env.sleep(ms), fault));
        }
        const legFigures = await current.phase('verify', () => finish(current));
        expect(legFigures.timers.fired).toBeGreaterThan(0);
        if (workerAcrossTimers) expect(legFigures.faults.byKind.worker).toBeGreaterThan(0);
        else expect(legFigures.faults.byKind.worker).toBe(0);
        expect(legFigures.faults.byKind.nats).toBeGreaterThan(0);
      } catch (err) {
        throw await withDiagnosis(err, leg);
      } finally {
        await leg?.close();
        await env.teardown();
      }
    },
  );

  it(
    'dev server on SQLite: the Temporal server, the worker and nats-server crash with commands in flight',
    { timeout: legTimeoutMs },
    async () => {
      const rnd = rnds.dev;
      const legDir = join(dir, 'dev-server');
      const temporal = await RestartableTemporal.start({ logDir: legDir, dbFilename: join(legDir, 'temporal.sqlite') });
      const connection = await Connection.connect({ address: temporal.address });
      let leg: Leg | undefined;
      try {
        leg = await Leg.open({
          name: 'dev-server',
          rnd,
          dir: legDir,
          templatesDir,
          bundlePath: inject('workflowBundlePath') ?? undefined,
          temporalAddress: temporal.address,
          namespace: 'default',
          connection,
          nats,
          temporal,
          now: () => Promise.resolve(Date.now()),
          concurrency: scale.concurrency,
          viaWeights,
          startWeights: [
            ['api', 4],
            ['cli', 1],
          ],
          log,
        });
        const current = leg;
        await current.phase('worker start', () => current.worker.start());
        await current.phase('starts', () => current.driver.startCampaigns(scale.campaigns - scale.lateStarts));
        const faults = schedule(rnd, Math.max(3, scale.rounds), ['temporal', 'worker', 'nats']);
        for (const [round, kinds] of faults.entries()) {
          // Some campaigns start while a process is down, too.
          const starts = round === 1 ? current.driver.startCampaigns(scale.lateStarts) : Promise.resolve();
          await current.phase(`burst ${round + 1} (${kinds.join(', ')})`, () =>
            Promise.all([current.burst(scale.commands, kinds), starts]),
          );
        }
        const legFigures = await current.phase('verify', () => finish(current));
        expect(legFigures.faults.byKind.temporal).toBeGreaterThan(0);
      } catch (err) {
        throw await withDiagnosis(err, leg);
      } finally {
        await leg?.close();
        await connection.close().catch(() => undefined);
        await temporal.stop();
      }
    },
  );
});

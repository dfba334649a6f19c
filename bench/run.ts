/**
 * `npm run bench [-- --quick]`: the engine's benchmarks, compared with the figures in the project's
 * anchors (see bench/README.md). Starts its own nats-server and, per Temporal storage mode, its own
 * Temporal dev server on free loopback ports, an engine worker process and the campaign client facade;
 * every loop is bounded in count and time. Prints progress and a final table, and writes the results to
 * bench/results/<date>.json (<date>-quick.json for --quick).
 *
 * Options:
 *   --quick                 smaller counts and shorter phases (under 2 minutes)
 *   --modes a,b             Temporal storage modes: sqlite-file, sqlite-wal, memory (default: all three;
 *                           --quick: sqlite-file,memory)
 *   --skip x,y              sections to skip: machine, jetstream, temporal, memory, views
 *   --campaigns N           open campaigns for section 7, views at scale (default 1000; e.g. 10000),
 *                           started in the first storage mode
 *   --dynamic-config K=V    pass `--dynamic-config-value K=V` to every Temporal dev server (repeatable),
 *                           e.g. history.transferProcessorMaxPollRPS=1000 (see bench/README.md)
 *   --out <file>            where to write the JSON (default bench/results/<date>[-quick].json;
 *                           with --dynamic-config: <date>[-quick]-tuned.json)
 *   --report <file.json>    print the comparison table of a results file as Markdown, run nothing
 *   --keep                  keep the run directory (server logs, databases) for inspection
 */
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir, type as osType } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { repoRoot, resolveNatsServer, resolveTemporalCli, startNatsServer } from '../infra/servers/index.js';
import { loadTemplates } from '../infra/templates.js';
import { parseConfig } from '../shared/config.js';
import { workflowsPath } from '../workers/engine-worker.js';
import { runJetStreamBench } from './jetstream-bench.js';
import { runMachineBench } from './machine-bench.js';
import { load1, machineSummary } from './proc.js';
import { comparisonRows, markdownTable, textTable, type BenchResults } from './report.js';
import { runTemporalMode, storageModes, type StorageMode, type TemporalBounds } from './temporal-bench.js';
import type { ViewsBounds } from './views-bench.js';

interface Args {
  quick: boolean;
  modes?: StorageMode[];
  skip: Set<string>;
  out?: string;
  report?: string;
  keep: boolean;
  dynamicConfig: string[];
  campaigns: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, skip: new Set(), keep: false, dynamicConfig: [], campaigns: 1_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--modes') {
      const modes = value().split(',').filter(Boolean);
      for (const m of modes)
        if (!(m in storageModes)) throw new Error(`unknown mode ${m} (known: ${Object.keys(storageModes).join(', ')})`);
      args.modes = modes as StorageMode[];
    } else if (a === '--skip') for (const s of value().split(',')) args.skip.add(s);
    else if (a === '--dynamic-config') {
      const kv = value();
      if (!/^[A-Za-z0-9_.]+=\S+$/.test(kv)) throw new Error(`--dynamic-config wants KEY=VALUE, got ${kv}`);
      args.dynamicConfig.push(kv);
    } else if (a === '--campaigns') {
      args.campaigns = Number(value());
      if (!Number.isInteger(args.campaigns) || args.campaigns < 10) throw new Error('--campaigns wants a whole number of at least 10');
    } else if (a === '--out') args.out = value();
    else if (a === '--report') args.report = value();
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));

if (args.report) {
  const results = JSON.parse(readFileSync(args.report, 'utf8')) as BenchResults;
  process.stdout.write(`${markdownTable(comparisonRows(results))}\n`);
  process.exit(0);
}

const quick = args.quick;
const modes: StorageMode[] = args.modes ?? (quick ? ['sqlite-file', 'memory'] : ['sqlite-file', 'sqlite-wal', 'memory']);
const memoryMode: StorageMode = modes.includes('memory') ? 'memory' : (modes[modes.length - 1] as StorageMode);
const machineBounds = { timeMsPerCase: quick ? 400 : 2_000, maxBlocks: 1_000_000 };
const jetstreamBounds = quick
  ? { timeMsPerCase: 1_000, maxSyncMessages: 3_000, maxAsyncMessages: 50_000 }
  : { timeMsPerCase: 4_000, maxSyncMessages: 20_000, maxAsyncMessages: 400_000 };
const temporalBounds: TemporalBounds = quick
  ? {
      starts: { count: 30, timeMs: 5_000, concurrency: [1, 4, 16] },
      commands: { count: 30, timeMs: 5_000, campaigns: 3 },
      signals: { count: 15, timeMs: 3_000 },
      memory: { count: 100, timeMs: 15_000, steps: 3, concurrency: 8 },
      eventTimeoutMs: 10_000,
      settleTimeoutMs: 8_000,
    }
  : {
      starts: { count: 200, timeMs: 25_000, concurrency: [1, 4, 16] },
      commands: { count: 210, timeMs: 25_000, campaigns: 6 },
      signals: { count: 100, timeMs: 12_000 },
      memory: { count: 500, timeMs: 75_000, steps: 5, concurrency: 8 },
      eventTimeoutMs: 10_000,
      settleTimeoutMs: 20_000,
    };
// Section 7: a few campaigns overdue among many with nothing due; starting and indexing them is bounded
// at about 15 starts a second on the 2-core machine, and the run's bound grows with it.
const viewsBounds: ViewsBounds | undefined = args.skip.has('views')
  ? undefined
  : {
      campaigns: args.campaigns,
      due: Math.max(10, Math.round(args.campaigns / 50)),
      samples: quick ? 5 : 10,
      timeMs: Math.max(60_000, Math.ceil(args.campaigns / 15) * 1_000),
    };
// The whole run is bounded too: past this, stop (children die with this process).
const runLimitMs = (quick ? 3 * 60_000 : 13 * 60_000) + (viewsBounds ? 4 * viewsBounds.timeMs + 60_000 : 0);

const began = performance.now();
const clock = () => {
  const s = Math.round((performance.now() - began) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const progress = (line: string) => process.stdout.write(`[bench ${clock()}] ${line}\n`);

const limit = setTimeout(() => {
  process.stderr.write(`bench: exceeded its ${runLimitMs / 60_000}-minute limit; stopping\n`);
  process.exit(2);
}, runLimitMs);
limit.unref();

function sh(command: string, argv: string[]): string {
  try {
    return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osName(): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readOr('/etc/os-release', ''));
  return pretty?.[1] ?? osType();
}

const startedAt = new Date();
const date = startedAt.toISOString().slice(0, 10);
const temporalCli = resolveTemporalCli();
const natsBinary = resolveNatsServer();
const results: BenchResults = {
  schema: 1,
  date,
  startedAt: startedAt.toISOString(),
  quick,
  durationMs: 0,
  git: {
    commit: sh('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']),
    dirtyPaths: sh('git', ['-C', repoRoot, 'status', '--porcelain']).split('\n').filter(Boolean).length,
  },
  machine: { ...machineSummary(), os: osName(), kernel: `${osType()} ${release()}` },
  versions: {
    node: process.versions.node,
    temporalCli: `${readOr(`${temporalCli}.version`, '?')} (${sh(temporalCli, ['--version'])})`,
    natsServer: sh(natsBinary, ['--version']),
    '@temporalio/worker': packageVersion('@temporalio/worker'),
    '@temporalio/client': packageVersion('@temporalio/client'),
    '@nats-io/jetstream': packageVersion('@nats-io/jetstream'),
    '@nats-io/transport-node': packageVersion('@nats-io/transport-node'),
  },
  load1: { start: load1(), end: 0 },
  bounds: {
    machine: { timeMsPerCase: machineBounds.timeMsPerCase },
    jetstream: jetstreamBounds,
    temporal: temporalBounds,
    ...(viewsBounds ? { views: viewsBounds } : {}),
  },
  temporalDynamicConfig: args.dynamicConfig,
  temporal: [],
  notes: [],
};

progress(
  `${quick ? 'quick' : 'full'} run on ${results.machine.cores} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB; ` +
    `load average ${results.load1.start}; Temporal ${results.versions.temporalCli}; ${results.versions.natsServer}`,
);
if (results.load1.start > results.machine.cores)
  progress(`note: the machine is busy (load ${results.load1.start} on ${results.machine.cores} cores); figures will be lower and noisier`);

const logger = createLogger('bench', 'warn');
const runDir = mkdtempSync(join(tmpdir(), 'advocacy-bench-'));
let failed = false;
try {
  const templates = await loadTemplates();
  const opcat = templates.getTemplate('opcat-ratification');

  if (!args.skip.has('machine')) {
    progress('6. state machine (no servers)');
    results.stateMachine = runMachineBench(opcat, { ...machineBounds, progress });
  }

  const needsTemporal = !args.skip.has('temporal') && modes.length > 0;
  // Bundle the workflows while nats-server starts (both take a few seconds).
  const bundlePath = join(runDir, 'workflow-bundle.js');
  const bundling = needsTemporal
    ? bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }).then(({ code }) => writeFileSync(bundlePath, code))
    : Promise.resolve();
  bundling.catch(() => undefined);

  const nats = await startNatsServer({ storeDir: join(runDir, 'nats'), logDir: runDir });
  progress(`nats-server (JetStream, file store) on ${nats.url}`);
  const nc = await connectNats(parseConfig({ NATS_URL: nats.url, LOG_LEVEL: 'warn' }), { name: 'bench', logger });
  try {
    if (!args.skip.has('jetstream')) {
      progress('4. JetStream publish');
      results.jetstream = await runJetStreamBench({ nc, natsPid: nats.pid, template: opcat, logger, ...jetstreamBounds, progress });
    }
    if (needsTemporal) {
      const t0 = performance.now();
      await bundling;
      progress(`workflow bundle ready (${Math.round(performance.now() - t0)} ms more)`);
      for (const [index, mode] of modes.entries()) {
        progress(
          `1-3${mode === memoryMode && !args.skip.has('memory') ? ', 5' : ''}${index === 0 && viewsBounds ? ', 7' : ''}. Temporal, ${mode}`,
        );
        const modeDir = join(runDir, mode);
        mkdirSync(modeDir, { recursive: true });
        results.temporal.push(
          await runTemporalMode({
            mode,
            index,
            runDir: modeDir,
            nats,
            nc,
            templates,
            bundlePath,
            logger,
            bounds: temporalBounds,
            withMemory: mode === memoryMode && !args.skip.has('memory'),
            ...(index === 0 && viewsBounds ? { views: viewsBounds } : {}),
            dynamicConfig: args.dynamicConfig,
            progress,
          }),
        );
      }
    }
  } finally {
    await nc.drain().catch(() => undefined);
    await nats.stop().catch(() => undefined);
  }

  results.load1.end = load1();
  results.durationMs = Math.round(performance.now() - began);
  if (results.load1.start > results.machine.cores || results.load1.end > results.machine.cores)
    results.notes.push(
      `The machine was shared and busy (1-minute load ${results.load1.start} at the start, ${results.load1.end} at the end, on ${results.machine.cores} cores).`,
    );
  const suffix = `${quick ? '-quick' : ''}${args.dynamicConfig.length ? '-tuned' : ''}`;
  const out = args.out ?? join(repoRoot, 'bench', 'results', `${date}${suffix}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${textTable(comparisonRows(results))}\n\n`);
  progress(`done in ${clock()}; results written to ${relative(process.cwd(), out)}`);
} catch (err) {
  failed = true;
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.stderr.write(`server and worker logs are kept in ${runDir}\n`);
} finally {
  clearTimeout(limit);
  if (!failed && !args.keep) rmSync(runDir, { recursive: true, force: true });
  else if (args.keep) progress(`run directory kept: ${runDir}`);
}
process.exit(failed ? 1 : 0);

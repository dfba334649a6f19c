import type { JetStreamResults } from './jetstream-bench.js';
import type { MachineResults } from './machine-bench.js';
import { formatMs, formatRate, type Summary } from './stats.js';
import type { ModeResults, TemporalBounds } from './temporal-bench.js';
import type { ViewsBounds } from './views-bench.js';

/** Everything one `npm run bench` measured, as written to bench/results/<date>.json. */
export interface BenchResults {
  schema: 1;
  date: string;
  startedAt: string;
  quick: boolean;
  durationMs: number;
  git: { commit: string; dirtyPaths: number };
  machine: { cpuModel: string; cores: number; memoryGiB: number; freeMemoryGiB: number; os: string; kernel: string };
  versions: Record<string, string>;
  /** 1-minute load average when the run started and ended (the machine is shared). */
  load1: { start: number; end: number };
  bounds: {
    machine: { timeMsPerCase: number };
    jetstream: { timeMsPerCase: number; maxSyncMessages: number; maxAsyncMessages: number };
    temporal: TemporalBounds;
    views?: ViewsBounds;
  };
  /** `--dynamic-config-value` flags given to every Temporal dev server (empty: the dev server's defaults). */
  temporalDynamicConfig: string[];
  stateMachine?: MachineResults;
  jetstream?: JetStreamResults;
  temporal: ModeResults[];
  notes: string[];
}

export interface Row {
  section: string;
  measure: string;
  ours: string;
  anchor: string;
}

const p50p99 = (s: Summary | undefined) => (s && s.n > 0 ? `p50 ${formatMs(s.p50)} / p99 ${formatMs(s.p99)} (n=${s.n})` : '-');

/** The comparison rows: our figure next to the anchor's, per section and storage mode. */
export function comparisonRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const starts = new Map<string, string>([
    ['sqlite-file', '~1 wf/s (file; older single-binary server, 3 activities, run to completion)'],
    ['sqlite-wal', '~10 wf/s (WAL; same)'],
    ['memory', '~20 wf/s (in-memory; same)'],
  ]);
  for (const m of r.temporal) {
    for (const s of m.starts) {
      rows.push({
        section: '1 starts',
        measure: `CampaignClient.start, c=${s.concurrency} [${m.mode}]`,
        ours:
          `${formatRate(s.perSecond)}; ${p50p99(s.latencyMs)}; start RPC p50 ${formatMs(s.startRpcMs.p50)}` +
          `${s.stoppedBy === 'time' ? ' (time-bounded)' : ''}${s.failed ? `; ${s.failed} failed` : ''}`,
        anchor: `${starts.get(m.mode) ?? '-'}; Cloud start p50 20 ms / p99 78 ms`,
      });
    }
  }
  for (const m of r.temporal) {
    if (!m.commands) continue;
    for (const kind of ['note', 'complete', 'reopen']) {
      rows.push({
        section: '2 commands',
        measure: `update ${kind} [${m.mode}]`,
        ours: p50p99(m.commands.updateMs[kind]),
        anchor: kind === 'note' ? 'Cloud signal p50 19 ms / p99 91 ms (nearest figure)' : '',
      });
    }
    if (m.signals)
      rows.push({
        section: '2 commands',
        measure: `signal RPC [${m.mode}]`,
        ours: p50p99(m.signals.signalRpcMs),
        anchor: 'Cloud signal p50 19 ms / p99 91 ms',
      });
  }
  for (const m of r.temporal) {
    if (!m.commands) continue;
    rows.push({
      section: '3 events',
      measure: `update accepted -> CloudEvent at consumer, note [${m.mode}]`,
      ours: p50p99(m.commands.eventAfterAcceptMs.note),
      anchor: '(no published figure)',
    });
    rows.push({
      section: '3 events',
      measure: `update sent -> CloudEvents at consumer, complete [${m.mode}]`,
      ours: p50p99(m.commands.eventAfterSendMs.complete),
      anchor: '',
    });
    if (m.signals)
      rows.push({
        section: '3 events',
        measure: `signal sent -> CloudEvent at consumer [${m.mode}]`,
        ours: p50p99(m.signals.eventAfterSendMs),
        anchor: '',
      });
  }
  if (r.jetstream) {
    for (const c of r.jetstream.cases) {
      const sync = !c.name.startsWith('async');
      rows.push({
        section: '4 JetStream',
        measure: `${c.name} (${c.payloadBytes} B)`,
        ours: `${formatRate(c.perSecond, ' msg/s')}; ${c.latencyOf} p50 ${formatMs(c.latencyMs.p50)} / p99 ${formatMs(c.latencyMs.p99)}`,
        anchor: sync ? '~36k msg/s sync (nats bench, file, 128 B)' : '~400k msg/s async batched (nats bench, file, 128 B)',
      });
    }
  }
  for (const m of r.temporal) {
    if (!m.memory) continue;
    rows.push({
      section: '5 memory',
      measure: `worker RSS per cached workflow [${m.mode}, ${m.memory.points[m.memory.points.length - 1]?.cachedWorkflows ?? 0} cached]`,
      ours:
        `${m.memory.workerRssMBPerWorkflow ?? '-'} MB (slope), ${m.memory.workerRssMBPerWorkflowEndToEnd ?? '-'} MB (end-to-end); ` +
        `Temporal server ${m.memory.temporalRssMBPerWorkflow ?? '-'} MB/wf`,
      anchor: '~1 MB per cached workflow (TS worker, reuseV8Context)',
    });
  }
  if (r.stateMachine) {
    for (const c of r.stateMachine.cases) {
      rows.push({
        section: '6 state machine',
        measure: `${c.name}: ${c.unit}`,
        ours: `${formatRate(c.perSecond)} wall, ${formatRate(c.perCpuSecond, '/CPU-s')}; p50 ${c.usPerOp.p50} us/op`,
        anchor: '(none; for scale: the workflow shell around it)',
      });
    }
  }
  for (const m of r.temporal) {
    const v = m.views;
    if (!v) continue;
    const at = `[${m.mode}, ${v.campaigns} open (${v.indexed ?? '?'} indexed), ${v.due} due]`;
    rows.push({
      section: '7 views',
      measure: `work list (workReport, 30 days) ${at}`,
      ours: `${p50p99(v.workReportMs)}; x${v.ratios.workReportToRaw1000 ?? '-'} a raw page of 1000 (p50 ${formatMs(v.rawPage1000Ms.p50)})`,
      anchor: 'at most 3x one visibility page of the same size (issue 12)',
    });
    rows.push({
      section: '7 views',
      measure: `campaign list, one page of 200 ${at}`,
      ours: `${p50p99(v.listPageMs)}; x${v.ratios.listPageToRaw200 ?? '-'} a raw page of 200 (p50 ${formatMs(v.rawPage200Ms.p50)})`,
      anchor: 'at most 3x one visibility page of the same size (issue 12)',
    });
    rows.push({
      section: '7 views',
      measure: `campaign list, every page of 1000 ${at}`,
      ours: `${p50p99(v.listAllMs)}; starts ${formatRate(v.start.perSecond)}, all indexed after ${formatMs(v.indexedAfterMs)}`,
      anchor: '-',
    });
  }
  return rows;
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| section | measure | ours | anchor |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${esc(r.section)} | ${esc(r.measure)} | ${esc(r.ours)} | ${esc(r.anchor)} |`);
  return lines.join('\n');
}

/** A plain-text table for the terminal (columns padded, long cells left long). */
export function textTable(rows: Row[]): string {
  const widths = [
    Math.max(7, ...rows.map((r) => r.section.length)),
    Math.min(60, Math.max(7, ...rows.map((r) => r.measure.length))),
    Math.min(80, Math.max(4, ...rows.map((r) => r.ours.length))),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(widths[0] as number)}  ${b.padEnd(widths[1] as number)}  ${c.padEnd(widths[2] as number)}  ${d}`;
  return [line('section', 'measure', 'ours', 'anchor'), ...rows.map((r) => line(r.section, r.measure, r.ours, r.anchor))].join('\n');
}

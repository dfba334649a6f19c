import { performance } from 'node:perf_hooks';
import {
  applyCommand,
  startCampaign,
  startCampaignSchema,
  type CampaignCommand,
  type CampaignState,
  type StartCampaign,
} from '../shared/campaign/index.js';
import { dateOfInstant } from '../shared/dates.js';
import type { Template } from '../shared/template/index.js';
import { formatRate, perSecond, roundSig, roundSummary, summarize, type Summary } from './stats.js';

/**
 * Section 6: the pure state machine (shared/campaign) on the OPCAT template, no servers. Each case runs
 * a fixed-size block of work repeatedly until its time is up (or a block limit), timing each block.
 */

export interface MachineCase {
  name: string;
  /** What one operation is. */
  unit: string;
  operations: number;
  elapsedMs: number;
  perSecond: number;
  /** Process CPU time (user + system) spent, and operations per CPU second: steadier on a busy machine. */
  cpuMs: number;
  perCpuSecond: number;
  /** Microseconds per operation, per block (blocks of `blockSize` operations). */
  usPerOp: Summary;
  blockSize: number;
}

export interface MachineResults {
  template: string;
  cases: MachineCase[];
}

const lead = { id: 'bench-lead', role: 'programme-lead' as const };
const staff = { id: 'bench-staff', role: 'staff' as const };

/** A fixed instant (noon UTC) so every run does the same work. */
const NOW = Date.parse('2025-06-02T12:00:00Z');
const TODAY = dateOfInstant(NOW);

export function opcatStart(template: Template, campaignId = 'th-opcat-bench'): StartCampaign {
  return startCampaignSchema.parse({
    campaignId,
    template,
    country: 'TH',
    region: 'asia-pacific',
    startDate: '2025-01-15',
    inputs: { uncatStatus: 'ratified' },
    actor: lead,
  });
}

/** Omit over each member of a union (plain Omit would merge the command types). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type CommandBody = DistributiveOmit<CampaignCommand, 'requestId' | 'actor'> & { actor?: CampaignCommand['actor'] };

function command(c: CommandBody, n: number): CampaignCommand {
  return { actor: staff, ...c, requestId: `r-${n}` };
}

function accepted(state: CampaignState, cmd: CampaignCommand): CampaignState {
  const outcome = applyCommand(state, cmd, NOW);
  if (!outcome.result.ok) throw new Error(`bench command ${cmd.type} refused: ${outcome.result.message}`);
  return outcome.state;
}

/** The lifecycle through the deposit: six completions (staff and programme-lead milestones). */
const lifecycle: { milestone: string; evidence?: Record<string, string> }[] = [
  { milestone: 'awareness-dialogue' },
  { milestone: 'national-consultation' },
  { milestone: 'government-decision' },
  { milestone: 'signature' },
  { milestone: 'parliamentary-approval' },
  { milestone: 'deposit', evidence: { instrumentKind: 'ratification' } },
];

interface CaseSpec {
  name: string;
  unit: string;
  blockSize: number;
  /** Runs one block of `blockSize` operations. */
  block: (blockIndex: number) => void;
}

function runCase(spec: CaseSpec, timeMs: number, maxBlocks: number): MachineCase {
  // Warm-up: let the JIT see the code before timing it.
  for (let i = 0; i < 3; i++) spec.block(-1 - i);
  const perBlockUs: number[] = [];
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = started + timeMs;
  let blocks = 0;
  while (blocks < maxBlocks && performance.now() < deadline) {
    const t0 = performance.now();
    spec.block(blocks);
    perBlockUs.push(((performance.now() - t0) * 1000) / spec.blockSize);
    blocks++;
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const operations = blocks * spec.blockSize;
  return {
    name: spec.name,
    unit: spec.unit,
    operations,
    elapsedMs: roundSig(elapsedMs, 4),
    perSecond: roundSig(perSecond(operations, elapsedMs), 3),
    cpuMs: roundSig(cpuMs, 4),
    perCpuSecond: roundSig(perSecond(operations, cpuMs), 3),
    usPerOp: roundSummary(summarize(perBlockUs)),
    blockSize: spec.blockSize,
  };
}

export function runMachineBench(
  template: Template,
  options: { timeMsPerCase: number; maxBlocks: number; progress: (line: string) => void },
): MachineResults {
  const start = opcatStart(template);
  const fresh = startCampaign(start, NOW).state;
  let n = 0;

  const specs: CaseSpec[] = [
    {
      name: 'startCampaign',
      unit: 'start (schema-parsed input, events for the opened milestones)',
      blockSize: 20,
      block: () => {
        for (let i = 0; i < 20; i++) startCampaign(start, NOW);
      },
    },
    {
      name: 'note',
      unit: 'note command on a fresh campaign (history reset every 50 commands)',
      blockSize: 50,
      block: () => {
        let s = fresh;
        for (let i = 0; i < 50; i++) s = accepted(s, command({ type: 'note', text: 'met the ministry' }, n++));
      },
    },
    {
      name: 'complete+reopen',
      unit: 'command (complete awareness-dialogue, then reopen it; 50 per fresh campaign)',
      blockSize: 50,
      block: () => {
        let s = fresh;
        for (let i = 0; i < 25; i++) {
          s = accepted(s, command({ type: 'complete', milestone: 'awareness-dialogue', date: TODAY, evidence: {} }, n++));
          s = accepted(s, command({ type: 'reopen', milestone: 'awareness-dialogue', reason: 'wrong date' }, n++));
        }
      },
    },
    {
      name: 'lifecycle',
      unit: 'completion, in runs of a start + 6 completions through the deposit (the start counted in)',
      blockSize: lifecycle.length,
      block: () => {
        let s = startCampaign(start, NOW).state;
        for (const step of lifecycle)
          s = accepted(
            s,
            command({ type: 'complete', milestone: step.milestone, date: TODAY, evidence: step.evidence ?? {}, actor: lead }, n++),
          );
      },
    },
    {
      name: 'refused',
      unit: 'refused command (completing a blocked milestone; applyCommand clones the state before checking)',
      blockSize: 100,
      block: () => {
        for (let i = 0; i < 100; i++) {
          const outcome = applyCommand(fresh, command({ type: 'complete', milestone: 'deposit', date: TODAY, evidence: {} }, n++), NOW);
          if (outcome.result.ok) throw new Error('expected a refusal');
        }
      },
    },
  ];

  const cases: MachineCase[] = [];
  for (const spec of specs) {
    const result = runCase(spec, options.timeMsPerCase, options.maxBlocks);
    options.progress(
      `machine ${spec.name}: ${formatRate(result.perSecond)} wall, ${formatRate(result.perCpuSecond, '/CPU-s')} ` +
        `(p50 ${result.usPerOp.p50} us/op over blocks of ${spec.blockSize}, ${result.operations} ops)`,
    );
    cases.push(result);
  }
  return { template: `${template.id} v${template.version}`, cases };
}

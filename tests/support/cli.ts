import type { CliDeps } from '../../cli/command-context.js';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { inject } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import type { TestEngine } from './engine.js';
import { testPayloadEnv } from './payload.js';
import type { TemporalTestConnection } from './temporal.js';

/** One finished run of the `advocacy` CLI. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const cliBin = join(repoRoot, 'bin', 'advocacy.js');

/**
 * The environment of a CLI child process in a test: the run's Temporal dev server and nats-server, the
 * test engine's task queue, stream and subject prefix (so the CLI sees that engine's campaigns and
 * events), the run's payload key, and the scratch directory for the API-key file and data. Only PATH and HOME come from the
 * test process, so a developer's own settings (ADVOCACY_ROLE, TEMPORAL_ADDRESS...) cannot leak into a
 * run; `extra` adds variables or replaces these.
 */
export function cliEnv(
  options: { temporal: Pick<TemporalTestConnection, 'address' | 'namespace'>; engine: Pick<TestEngine, 'config'>; scratch: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  const { temporal, engine, scratch } = options;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: engine.config.TEMPORAL_TASK_QUEUE,
    NATS_URL: inject('natsUrl'),
    EVENTS_STREAM: engine.config.EVENTS_STREAM,
    EVENTS_SUBJECT_PREFIX: engine.config.EVENTS_SUBJECT_PREFIX,
    DATA_DIR: scratch,
    API_KEYS_FILE: join(scratch, 'api-keys.json'),
    ...testPayloadEnv(),
    ...extra,
  };
}

/**
 * Starts bin/advocacy.js in a child process with exactly `env` (see `cliEnv`), for a command that runs
 * until stopped. Variables set to undefined are removed from the child's environment.
 */
export function startCli(args: string[], env: Record<string, string | undefined>): ChildProcessByStdio<null, Readable, Readable> {
  const merged = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs bin/advocacy.js in a child process to its end, asynchronously, so an engine worker in the test
 * process keeps polling meanwhile. Variables set to undefined are removed from the child's environment.
 */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * For the CLI run in process (`main` with `CliDeps`): servers that cannot be reached, each recording in
 * `calls` that it was asked for, no interrupt, and a fixed OS user.
 */
export function unreachableServers(calls: string[]): Omit<CliDeps, 'loadTemplates'> {
  return {
    connectTemporal: () => {
      calls.push('temporal');
      return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233'));
    },
    connectNats: () => {
      calls.push('nats');
      return Promise.reject(new Error('CONNECTION_REFUSED'));
    },
    onInterrupt: () => () => undefined,
    username: () => 'tester',
  };
}

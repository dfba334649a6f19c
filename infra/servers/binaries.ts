import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the server binaries are. `scripts/provision.sh` builds or installs them into the cache
 * (`$ADVOCACY_CACHE_DIR`, else `$XDG_CACHE_HOME/advocacy-engine`, else `~/.cache/advocacy-engine`);
 * `TEMPORAL_CLI_BIN`, `NATS_SERVER_BIN` and `SCHEMATHESIS_BIN` point at other copies. A missing binary is an
 * error that names the provisioning script, never a reason to skip.
 */
export const PROVISION_COMMAND = 'bash scripts/provision.sh';

export class MissingBinaryError extends Error {
  constructor(what: string, looked: string[]) {
    super(
      `${what} not found (looked in: ${looked.filter(Boolean).join(', ')}).\n` +
        `Run \`${PROVISION_COMMAND}\` from the repository root to install it, then try again.`,
    );
    this.name = 'MissingBinaryError';
  }
}

/** The repository root (this file lives in infra/servers/). */
export const repoRoot: string = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ADVOCACY_CACHE_DIR) return resolve(env.ADVOCACY_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'advocacy-engine');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name));
}

function firstExecutable(what: string, candidates: string[]): string {
  const found = candidates.find((c) => c && isExecutable(c));
  if (!found) throw new MissingBinaryError(what, candidates);
  return found;
}

/** The Temporal CLI (`temporal server start-dev`), v1.5.1 built by provision.sh. */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  return firstExecutable('Temporal CLI (temporal)', [
    env.TEMPORAL_CLI_BIN ?? '',
    join(cacheDir(env), 'bin', 'temporal'),
    ...onPath('temporal', env),
  ]);
}

/** nats-server with JetStream (Debian installs it in /usr/sbin, which is not on every PATH). */
export function resolveNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  return firstExecutable('nats-server', [
    env.NATS_SERVER_BIN ?? '',
    join(cacheDir(env), 'bin', 'nats-server'),
    ...onPath('nats-server', env),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ]);
}

/**
 * The launcher for the Java time-skipping test server (scripts/temporal-test-server), for
 * `TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })`.
 * Checks that its jars and a Java runtime are there, since the SDK would only report a timeout.
 */
export function resolveTestServerLauncher(env: NodeJS.ProcessEnv = process.env): string {
  const launcher = firstExecutable('time-skipping test server launcher', [join(repoRoot, 'scripts', 'temporal-test-server')]);
  const libDir = join(cacheDir(env), 'temporal-test-server', 'lib');
  let jars: string[] = [];
  try {
    jars = readdirSync(libDir).filter((f) => f.startsWith('temporal-test-server-') && f.endsWith('.jar'));
  } catch {
    /* missing */
  }
  if (jars.length === 0) throw new MissingBinaryError('temporal-test-server jars', [libDir]);
  firstExecutable('Java runtime (java)', [env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : '', ...onPath('java', env)]);
  return launcher;
}

/** schemathesis (the API fuzzer), installed by provision.sh in a Python venv in the cache, at its pinned version. */
export function resolveSchemathesis(env: NodeJS.ProcessEnv = process.env): string {
  return firstExecutable('schemathesis', [env.SCHEMATHESIS_BIN ?? '', join(cacheDir(env), 'schemathesis', 'bin', 'schemathesis')]);
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveNatsServer } from './binaries.js';
import { freePort } from './ports.js';
import { spawnManaged, waitUntil, type ExitInfo, type ManagedProcess } from './process.js';

export interface NatsServerOptions {
  /** JetStream file store directory (`-sd`). Keep it to restart with the same data. */
  storeDir: string;
  /** Directory for the log file (`nats-<port>.log`); default: the store directory's parent. */
  logDir?: string;
  /** Client port; a free one when omitted. */
  port?: number;
  /** HTTP monitoring port (`/healthz`); a free one when omitted. */
  monitorPort?: number;
  host?: string;
  /** Extra nats-server arguments (e.g. `--user`, `--pass`). */
  extraArgs?: string[];
  startTimeoutMs?: number;
  binary?: string;
}

export interface NatsServer {
  /** nats://host:port */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  /** Pid of the current process (changes after `restart()`). */
  readonly pid: number;
  readonly logFile: string;
  running(): boolean;
  /** Graceful stop (SIGTERM; SIGKILL after a grace period). `{ signal: 'SIGKILL' }` simulates a crash. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ExitInfo | undefined>;
  /** Starts again on the same ports and store directory (stopping first if running); waits until healthy. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Starts `nats-server -js` on 127.0.0.1 with a file store, and waits until the monitoring endpoint
 * reports JetStream healthy (`/healthz?js-enabled-only=true`). Outage tests stop it and start it again
 * on the same port and store directory.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const binary = options.binary ?? resolveNatsServer();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const monitorPort = options.monitorPort ?? (await freePort(host));
  const storeDir = options.storeDir;
  const logFile = join(options.logDir ?? join(storeDir, '..'), `nats-${port}.log`);
  const args = ['-a', host, '-p', String(port), '-js', '-sd', storeDir, '-m', String(monitorPort), ...(options.extraArgs ?? [])];
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let proc: ManagedProcess | undefined;

  async function healthy(): Promise<boolean> {
    const res = await fetch(`http://${host}:${monitorPort}/healthz?js-enabled-only=true`, {
      signal: AbortSignal.timeout(1_000),
    });
    await res.body?.cancel();
    return res.ok;
  }

  const server: NatsServer = {
    url: `nats://${host}:${port}`,
    port,
    monitorPort,
    storeDir,
    get pid() {
      return proc?.pid ?? -1;
    },
    logFile,
    running: () => proc?.running() ?? false,
    async stop(stopOptions) {
      if (!proc?.running()) return undefined;
      return proc.stop(stopOptions);
    },
    async start() {
      if (proc?.running()) await proc.stop();
      mkdirSync(storeDir, { recursive: true });
      const current = spawnManaged({ name: 'nats-server', command: binary, args, logFile });
      proc = current;
      try {
        await waitUntil(healthy, { timeoutMs, intervalMs: 50, process: current, what: `nats-server on ${host}:${port}` });
      } catch (err) {
        await current.stop({ signal: 'SIGKILL' });
        throw err;
      }
    },
    async restart() {
      await server.stop();
      await server.start();
    },
  };
  await server.start();
  return server;
}

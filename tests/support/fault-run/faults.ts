import { readFileSync } from 'node:fs';
import { startTemporalDevServer, type NatsServer, type TemporalDevServer } from '../../../infra/servers/index.js';
import { startEngineProcess, type EngineProcess } from '../../../workers/engine-process.js';

/**
 * Crashes and restarts of the three processes the engine depends on: the engine worker (its own
 * process, SIGKILL), nats-server (SIGKILL, restarted on the same port and JetStream store) and the
 * Temporal dev server (SIGKILL, restarted on the same port and SQLite file). Each crash is recorded with
 * what was in flight when it happened.
 */
export type FaultKind = 'worker' | 'nats' | 'temporal';

export interface FaultRecord {
  leg: string;
  kind: FaultKind;
  /** During a burst of commands, or while the time-skipping server skipped days. */
  during: 'commands' | 'time-skip';
  /** What was in flight at the crash, as far as it could be seen. */
  inFlight: string;
  workInFlight: boolean;
  /** How long the process stayed down, and until it answered again (restart included). */
  downMs: number;
  recoveredMs: number;
  /** The server's clock (days skipped) at the crash and at the recovery, when it is not the wall clock. */
  serverTimeAtCrash?: string;
  serverTimeAtRecovery?: string;
}

/** The engine worker child process, restartable with the same configuration. */
export class WorkerProcess {
  private current: EngineProcess | undefined;
  constructor(private readonly options: { env: Record<string, string>; bundlePath: string | undefined; logFile: string }) {}

  async start(): Promise<void> {
    this.current = await startEngineProcess({
      env: this.options.env,
      ...(this.options.bundlePath ? { bundlePath: this.options.bundlePath } : {}),
      logFile: this.options.logFile,
      startTimeoutMs: 120_000,
    });
  }

  running(): boolean {
    return this.current?.running() ?? false;
  }

  /**
   * What the worker has in flight (workflow activations, activities), waiting up to `withinMs` for it to
   * have `what` in flight; `{ busy: false }` when it has not (or is not running).
   */
  async inFlight(what: 'any' | 'activity', withinMs: number): Promise<{ inFlight: string; busy: boolean }> {
    const worker = this.current;
    const deadline = Date.now() + withinMs;
    let seen = 'nothing seen (worker not answering)';
    for (;;) {
      const s = worker?.running() ? await worker.status().catch(() => undefined) : undefined;
      if (s) {
        seen = `${s.numInFlightWorkflowActivations} workflow activations, ${s.numInFlightActivities} activities`;
        const busy = what === 'activity' ? s.numInFlightActivities > 0 : s.numInFlightActivities + s.numInFlightWorkflowActivations > 0;
        if (busy) return { inFlight: seen, busy };
      }
      if (Date.now() >= deadline) return { inFlight: seen, busy: false };
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Kills the worker (SIGKILL) as soon as it has work in flight, or after `withinMs` whatever it has. */
  async crash(withinMs: number): Promise<{ inFlight: string; busy: boolean }> {
    const worker = this.current;
    if (!worker) throw new Error('no worker to crash');
    const seen = await this.inFlight('any', withinMs);
    await worker.kill('SIGKILL');
    return seen;
  }

  async stop(): Promise<void> {
    await this.current?.stop(10_000);
  }

  /** How many events the stream acknowledged as duplicates (a publish retried after a crash). */
  duplicateAcks(): number {
    return this.logLines((l) => l.includes('duplicate ack')).length;
  }

  /** Workflow tasks the worker failed because a history did not replay: what a failed run must show. */
  nondeterminism(): string[] {
    return this.logLines((l) => l.includes('Nondeterminism'));
  }

  private logLines(keep: (line: string) => boolean): string[] {
    try {
      return readFileSync(this.options.logFile, 'utf8').split('\n').filter(keep);
    } catch {
      return [];
    }
  }
}

/** A Temporal dev server on a SQLite file, crashed and restarted on the same port and file. */
export class RestartableTemporal {
  private constructor(
    private server: TemporalDevServer,
    private readonly options: { logDir: string; dbFilename: string; port: number },
  ) {}

  static async start(options: { logDir: string; dbFilename: string }): Promise<RestartableTemporal> {
    const server = await startTemporalDevServer({
      logDir: options.logDir,
      uiPort: false,
      dbFilename: options.dbFilename,
      startTimeoutMs: 120_000,
    });
    return new RestartableTemporal(server, { ...options, port: Number(server.address.split(':').pop()) });
  }

  get address(): string {
    return this.server.address;
  }

  async crash(): Promise<void> {
    await this.server.process.stop({ signal: 'SIGKILL' });
  }

  async restart(): Promise<void> {
    this.server = await startTemporalDevServer({
      logDir: this.options.logDir,
      uiPort: false,
      dbFilename: this.options.dbFilename,
      port: this.options.port,
      startTimeoutMs: 120_000,
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}

export type { NatsServer };

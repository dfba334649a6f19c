import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Child processes for the servers the engine needs (Temporal dev server, nats-server, the engine worker in
 * the dev stack). Each writes stdout and stderr to a log file; none outlives its parent:
 * - `stop()` sends SIGTERM, then SIGKILL after a grace period, and waits for the exit;
 * - on the parent's normal exit every child still running gets SIGKILL;
 * - a small watchdog process (one per parent) kills the children if the parent dies without running
 *   exit handlers (SIGKILL, crash): it reads the list of child pids on its stdin and acts on EOF.
 * Servers run in their own process group, so a Ctrl-C in the terminal reaches only the parent, which
 * then stops them in order.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`; resolves after the exit. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ExitInfo>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnManagedOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Own process group (default true): terminal signals reach only the parent. */
  detached?: boolean;
  /** 'log' (default): stdout and stderr go to `logFile`; 'inherit': to the parent's (logFile unused). */
  output?: 'log' | 'inherit';
}

const live = new Map<number, ChildProcess>();
let exitHookInstalled = false;
let watchdog: ChildProcess | undefined;

// Reads "+pid" / "-pid" lines; on EOF (the parent is gone) terminates what is left, then kills it.
const WATCHDOG_SCRIPT = `
declare -A pids=()
while IFS= read -r line; do
  case "$line" in
    +*) pids[\${line#+}]=1 ;;
    -*) unset "pids[\${line#-}]" ;;
  esac
done
[ \${#pids[@]} -eq 0 ] && exit 0
for p in "\${!pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
for _ in 1 2 3 4 5 6 7 8 9 10; do
  alive=0
  for p in "\${!pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" -eq 0 ] && exit 0
  sleep 0.5
done
for p in "\${!pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
`;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn('bash', ['-c', WATCHDOG_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    watchdog.on('error', () => {
      watchdog = undefined;
    });
    watchdog.stdin?.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid, child] of live) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  });
}

export function spawnManaged(options: SpawnManagedOptions): ManagedProcess {
  const inherit = options.output === 'inherit';
  if (!inherit) mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = inherit ? undefined : openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      stdio: fd === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
      detached: options.detached ?? true,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  installExitHook();

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      exitInfo ??= { code: null, signal: null };
      appendNote(options.logFile, `spawn failed: ${err.message}`);
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      if (child.pid !== undefined) {
        live.delete(child.pid);
        tellWatchdog(`-${child.pid}`);
      }
      resolve(exitInfo);
    });
  });
  if (child.pid !== undefined) {
    live.set(child.pid, child);
    tellWatchdog(`+${child.pid}`);
  }

  const managed: ManagedProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    running: () => exitInfo === undefined && child.pid !== undefined,
    async stop({ signal = 'SIGTERM', graceMs = 10_000 } = {}) {
      if (!managed.running()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (managed.running()) child.kill('SIGKILL');
      }, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return managed;
}

function appendNote(file: string, note: string): void {
  try {
    appendFileSync(file, `\n[${new Date().toISOString()}] ${note}\n`);
  } catch {
    /* best effort */
  }
}

/** The last `lines` lines of a log file (for start-up failure messages). */
export function tailFile(file: string, lines = 30): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 64_000));
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

/** Polls `check` until it returns true; rejects with `describe()` when the process exits or time runs out. */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; process?: ManagedProcess; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    if (options.process && !options.process.running()) {
      const info = await options.process.exited;
      throw new Error(
        `${options.what} exited during start-up (code ${String(info.code)}, signal ${String(info.signal)}).` +
          (options.process.logFile ? `\nLast lines of ${options.process.logFile}:\n${tailFile(options.process.logFile)}` : ''),
      );
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const log = options.process?.logFile ? `\nLast lines of ${options.process.logFile}:\n${tailFile(options.process.logFile)}` : '';
      throw new Error(`${options.what} was not healthy within ${options.timeoutMs} ms${reason}.${log}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

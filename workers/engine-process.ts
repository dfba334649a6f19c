import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildStatus, ParentMessage } from './engine-child.js';

/** The engine worker child process (workers/engine-child.ts) as seen from its parent. */
export interface EngineProcess {
  readonly pid: number;
  readonly logFile: string;
  /** True until the process has exited. */
  running(): boolean;
  /** Memory, CPU and cache figures; `gc` runs a full collection in the child's main thread first. */
  status(gc?: boolean): Promise<ChildStatus>;
  /** Graceful shutdown (in-flight tasks finish), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** A crash: SIGKILL (or the given signal) at once, whatever is in flight; resolves after the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const childPath = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Forks the engine worker with `env` (the engine's configuration) and waits until it polls. The child
 * runs `node --import tsx --expose-gc`, writes its logs to `logFile` (appending, so a restarted worker
 * continues the same file) and exits when this process goes away (its IPC channel closes); on a normal
 * exit of this process it is killed as well. `bundlePath`: a prebuilt workflow bundle (recommended;
 * bundling in the child takes seconds).
 */
export async function startEngineProcess(options: {
  env: Record<string, string>;
  bundlePath?: string;
  logFile: string;
  startTimeoutMs?: number;
}): Promise<EngineProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = fork(childPath, [], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      env: { ...process.env, ...options.env, ...(options.bundlePath ? { ENGINE_WORKFLOW_BUNDLE: options.bundlePath } : {}) },
      stdio: ['ignore', fd, fd, 'ipc'],
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  child.on('error', () => undefined); // a send after the child is gone; its exit is handled below
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  let waiting: { resolve: (m: ChildStatus) => void; reject: (e: Error) => void } | undefined;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'status' && waiting) {
      const w = waiting;
      waiting = undefined;
      w.resolve(message);
    }
  });
  void exited.then(() => waiting?.reject(new Error(`engine worker exited (see ${options.logFile})`)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine worker not ready within ${options.startTimeoutMs ?? 60_000} ms (see ${options.logFile})`));
    }, options.startTimeoutMs ?? 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`engine worker failed: ${message.message}`));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`engine worker exited during start-up (see ${options.logFile})`));
    });
  });

  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message, () => undefined);
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    running,
    status(gc = false) {
      if (waiting) return Promise.reject(new Error('one status request at a time'));
      return new Promise<ChildStatus>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          reject(new Error('engine worker did not answer a status request within 10 s'));
        }, 10_000);
        waiting = {
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        send({ type: 'status', gc });
      });
    },
    async stop(graceMs = 20_000) {
      if (!running()) return;
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill(signal = 'SIGKILL') {
      if (!running()) return;
      child.kill(signal);
      await exited;
    },
  };
}

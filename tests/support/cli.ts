import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../infra/servers/index.js';

/** One finished run of the `advocacy` CLI. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const cliBin = join(repoRoot, 'bin', 'advocacy.js');

/**
 * Runs bin/advocacy.js in a child process to its end, asynchronously, so an engine worker in the test
 * process keeps polling meanwhile. Variables set to undefined are removed from the child's environment.
 */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const merged = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Every Temporal and NATS connection the engine's processes make goes through the one builder of its
 * options (infra/temporal-connection.ts `temporalConnectionOptions`, infra/nats.ts
 * `natsConnectionOptions`), so none can skip TLS or the credentials. A new connection that does not
 * fails here, naming its file and line. Tests connect to the servers the global setup starts (plaintext,
 * on loopback) and are not checked; neither is the readiness probe of a dev server a process started.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import { callArguments, sourceFiles } from '../support/source-scan.js';

const roots = ['api', 'bench', 'cli', 'clients', 'http', 'infra', 'scripts', 'web', 'workers'];
/** Connections to a server the same code has just started on loopback, not to the configured one. */
const ownServer = ['infra/servers/temporal-dev-server.ts'];

/** `file:line maker` of every call of `pattern` in the project's sources whose arguments lack `builder`. */
function callsWithout(pattern: RegExp, builder: string, only: (text: string) => boolean = () => true) {
  const calls: string[] = [];
  const missing: string[] = [];
  for (const file of roots.flatMap((r) => sourceFiles(join(repoRoot, r)))) {
    const path = relative(repoRoot, file);
    if (ownServer.includes(path)) continue;
    const text = readFileSync(file, 'utf8');
    if (!only(text)) continue;
    for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) {
      const at = match.index;
      const lineStart = text.lastIndexOf('\n', at) + 1;
      const line = text.slice(lineStart, text.indexOf('\n', at));
      if (/^\s*(\*|\/\/)/.test(line)) continue;
      const where = `${path}:${text.slice(0, at).split('\n').length} ${match[0]}`;
      calls.push(where);
      if (!callArguments(text, at + match[0].length - 1).includes(builder)) missing.push(where);
    }
  }
  return { calls, missing };
}

describe('transport wiring', () => {
  it('makes every Temporal connection from temporalConnectionOptions', () => {
    const { calls, missing } = callsWithout(
      /\b(?:Connection\.connect|Connection\.lazy|NativeConnection\.connect)\(/,
      'temporalConnectionOptions(',
    );
    expect(calls.length).toBeGreaterThanOrEqual(8);
    expect(missing).toEqual([]);
  });

  it('makes every NATS connection from natsConnectionOptions', () => {
    const { calls, missing } = callsWithout(/(?<![.\w])connect\(/, 'natsConnectionOptions(', (text) =>
      text.includes("'@nats-io/transport-node'"),
    );
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(missing).toEqual([]);
  });
});

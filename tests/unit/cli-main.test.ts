import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliContext, defaultDeps, type CliDeps } from '../../cli/command-context.js';
import { buildProgram, commandPath, main } from '../../cli/main.js';
import { unreachableServers } from '../support/cli.js';

/**
 * The command line parsed in process, with the outside world replaced: Temporal and NATS "connections"
 * that record being asked for. Invalid input must be refused before anything is connected.
 */

function harness(env: Record<string, string | undefined> = {}) {
  const calls: string[] = [];
  const stdout = { text: '', write: (s: string) => (stdout.text += s) };
  const stderr = { text: '', write: (s: string) => (stderr.text += s) };
  const deps: CliDeps = {
    loadTemplates: (config, options) => defaultDeps.loadTemplates(config, options),
    ...unreachableServers(calls),
  };
  const run = (...argv: string[]) => main(argv, { stdout, stderr, env }, deps);
  return {
    run,
    calls,
    stdout,
    stderr,
    json: () => JSON.parse(stderr.text) as { error: { code: string; issues: string[]; hint: string; exitCode: number } },
  };
}

describe('advocacy command line', () => {
  it('prints help for the program and for a command, with the exit codes', async () => {
    const h = harness();
    expect(await h.run('--help')).toBe(0);
    expect(h.stdout.text).toMatch(/Usage: advocacy \[options\] \[command\]/);
    expect(h.stdout.text).toMatch(
      /Exit codes: 0 ok, 2 invalid input, 3 not found, 4 forbidden, 5 conflict, 6 precondition, 7 unavailable, 1 unexpected/,
    );
    const start = harness();
    expect(await start.run('campaign', 'start', '--help')).toBe(0);
    expect(start.stdout.text).toMatch(/--completed <milestone=YYYY-MM-DD>/);
    expect(start.stdout.text).toMatch(/--json/);
    expect(start.stdout.text).toMatch(/--role <role>/);
  });

  it('refuses bad flags with exit 2, naming each flag, before connecting to anything', async () => {
    const h = harness();
    expect(await h.run('campaign', 'start', '--country', 'XX', '--input', 'nothing')).toBe(2);
    expect(h.calls).toEqual([]);
    expect(h.stderr.text).toBe(
      [
        'error: invalid flags',
        '  - --template: required',
        '  - --country: expected an ISO 3166-1 alpha-2 country code such as "ID" or "PH"',
        '  - --input: "nothing" is not name=value',
        'hint: fix the values named above; add --help to the command to see every flag',
        '',
      ].join('\n'),
    );
  });

  it('with --json, writes the error as one JSON document on stderr and nothing on stdout', async () => {
    const h = harness();
    expect(await h.run('milestone', 'complete', 'c1', 'deposit', '--json')).toBe(2);
    expect(h.stdout.text).toBe('');
    expect(h.json().error).toMatchObject({ code: 'invalid', issues: ['--date: required'], exitCode: 2 });
    expect(h.calls).toEqual([]);
  });

  it('maps usage errors to exit 2 with the command’s --help, also before the global flags apply', async () => {
    const unknown = harness();
    expect(await unknown.run('campaign', 'list', '--overdu', '--json')).toBe(2);
    expect(unknown.json().error).toMatchObject({ code: 'invalid', hint: 'see `advocacy campaign list --help`' });
    expect(unknown.json().error).toHaveProperty(
      'message',
      expect.stringMatching(/unknown option '--overdu' \(Did you mean --overdue\?\)/) as string,
    );
    const missing = harness();
    expect(await missing.run('campaign')).toBe(2);
    expect(missing.stderr.text).toMatch(/Usage: advocacy campaign/);
    const program = buildProgram(new CliContext({ stdout: missing.stdout, stderr: missing.stderr, env: {} }, defaultDeps));
    expect(commandPath(program, ['--json', 'milestone', 'complete', 'c1', 'x'])).toEqual(['milestone', 'complete']);
  });

  it('names a bad environment variable (exit 2) and an unreachable server (exit 7), each with what to do', async () => {
    const config = harness({ API_PORT: 'eighty', ADVOCACY_ROLE: 'boss' });
    expect(await config.run('campaign', 'show', 'c1', '--json')).toBe(2);
    expect(config.json().error.issues).toEqual([
      expect.stringMatching(/^API_PORT: /),
      expect.stringMatching(/^ADVOCACY_ROLE: Invalid option/),
    ]);
    expect(config.json().error.hint).toMatch(/environment variables/);
    expect(config.calls).toEqual([]);

    const down = harness();
    expect(await down.run('campaign', 'list', '--country', 'PH')).toBe(7);
    expect(down.calls).toEqual(['temporal']);
    expect(down.stderr.text).toMatch(/^error: cannot reach Temporal at 127\.0\.0\.1:7233: connect ECONNREFUSED/);
    expect(down.stderr.text).toMatch(/hint: start the stack with `npm run dev`, or set TEMPORAL_ADDRESS/);

    const nats = harness();
    expect(await nats.run('events', 'tail', '--type', 'milestone-completed')).toBe(7);
    expect(nats.calls).toEqual(['nats']);
    expect(nats.stderr.text).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:4222/);
  });

  it('refuses the system role and key management below programme lead before touching the key file', async () => {
    const system = harness({ ADVOCACY_ROLE: 'system' });
    expect(await system.run('campaign', 'pause', 'c1')).toBe(4);
    expect(system.calls).toEqual([]);
    const file = join(tmpdir(), `advocacy-cli-unit-${process.pid}`, 'keys.json');
    const staff = harness({ API_KEYS_FILE: file });
    // Before the subcommand, --role is the user's; after `keys create`, the new key's.
    expect(await staff.run('--role', 'staff', 'keys', 'create', '--role', 'viewer', '--label', 'screen')).toBe(4);
    expect(staff.stderr.text).toMatch(/role staff may not manage API keys; it needs programme-lead/);
    expect(existsSync(file)).toBe(false);
  });

  it('lists templates without connecting to anything', async () => {
    const h = harness();
    expect(await h.run('templates', 'list', '--json')).toBe(0);
    expect((JSON.parse(h.stdout.text) as { id: string }[]).map((t) => t.id)).toContain('opcat-ratification');
    expect(h.calls).toEqual([]);
  });
});

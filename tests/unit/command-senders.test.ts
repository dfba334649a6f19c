import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiKeyIdSchema, ApiKeyStore } from '../../infra/api-keys.js';
import { repoRoot } from '../../infra/servers/index.js';
import { campaignCommandSchema } from '../../shared/campaign/commands.js';
import { ConfigError, parseConfig } from '../../shared/config.js';
import { commandBodySchema } from '../../shared/events/command-messages.js';
import {
  CommandSendersError,
  loadCommandSenders,
  NATS_ACTOR_PREFIX,
  natsActorId,
  resolveCommandSenders,
} from '../../workers/command-senders.js';
import { propertyRuns } from '../support/properties.js';

const cap = { COMMANDS_MAX_ROLE: 'programme-lead' as const };

function problemsOf(raw: unknown, config: { COMMANDS_MAX_ROLE: 'viewer' | 'staff' | 'programme-lead' } = cap): string[] {
  try {
    resolveCommandSenders(raw, config);
  } catch (err) {
    if (err instanceof CommandSendersError) return err.problems;
    throw err;
  }
  return [];
}

describe('NATS command senders (COMMANDS_SENDERS_FILE)', () => {
  it('reads the documented file: each token acts as nats:<name>, with its role and countries', async () => {
    const senders = await loadCommandSenders(join(repoRoot, 'docs', 'command-senders.yaml'), cap);
    expect(Object.fromEntries(senders)).toEqual({
      'partner-a': {
        actor: { id: 'nats:partner-a', role: 'programme-lead' },
        countries: ['PH'],
        label: 'Partner A case-management system',
      },
      'partner-b': {
        actor: { id: 'nats:parliament-monitor', role: 'staff' },
        countries: ['ID'],
        label: 'Partner B parliament monitor',
      },
    });
  });

  it('refuses system, and any role above COMMANDS_MAX_ROLE, when the file is loaded', () => {
    expect(problemsOf({ senders: { monitor: { role: 'system' } } })).toEqual([
      'senders.monitor.role: a NATS sender may never act as system (it would bypass every role check)',
    ]);
    expect(problemsOf({ senders: { monitor: { role: 'programme-lead' } } }, { COMMANDS_MAX_ROLE: 'staff' })).toEqual([
      'senders.monitor.role: programme-lead is above COMMANDS_MAX_ROLE (staff)',
    ]);
    expect(problemsOf({ senders: { monitor: { role: 'staff' } } }, { COMMANDS_MAX_ROLE: 'staff' })).toEqual([]);
  });

  it('refuses system as COMMANDS_MAX_ROLE itself', () => {
    expect(() => parseConfig({ COMMANDS_MAX_ROLE: 'system' })).toThrow(ConfigError);
    expect(() => parseConfig({ COMMANDS_MAX_ROLE: 'system' })).toThrow(/COMMANDS_MAX_ROLE: .*never as system/);
    expect(parseConfig({}).COMMANDS_MAX_ROLE).toBe('programme-lead');
  });

  it('names every problem: tokens that are no subject token, unknown countries and fields, a missing role', () => {
    const problems = problemsOf({
      senders: {
        'Partner.A': { role: 'staff' },
        '*': { role: 'staff' },
        partner: { role: 'staff', countries: ['XX'], actorId: 'key-0123456789ab' },
        quiet: {},
      },
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['senders.Partner.A', 'senders.*', 'senders.partner.countries.0', 'senders.partner', 'senders.quiet.role']),
    );
    expect(problems.join('\n')).toMatch(/actorId/);
    expect(problemsOf({ senders: { partner: { role: 'staff', actor: 'key-0123456789ab:x' } } })).toEqual([
      expect.stringMatching(/^senders\.partner\.actor: /),
    ]);
  });

  it('reads YAML strictly: a repeated sender is an error naming its line, and a missing file names its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'senders-'));
    try {
      const path = join(dir, 'senders.yaml');
      await writeFile(path, 'senders:\n  a:\n    role: staff\n  a:\n    role: viewer\n');
      await expect(loadCommandSenders(path, cap)).rejects.toThrow(/line 4, column 3/);
      await expect(loadCommandSenders(join(dir, 'missing.yaml'), cap)).rejects.toThrow(/missing\.yaml/);
      expect((await loadCommandSenders(undefined, cap)).size).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('looks a token up as data: "constructor" is a sender like any other, unknown tokens are none', () => {
    const senders = resolveCommandSenders({ senders: { constructor: { role: 'viewer' } } }, cap);
    expect(senders.get('constructor')?.actor).toEqual({ id: 'nats:constructor', role: 'viewer' });
    expect(senders.get('toString')).toBeUndefined();
  });

  it('keeps NATS actor ids and API key ids apart by construction', async () => {
    // A NATS actor id has a colon, which no API key id has; an API key id lacks the nats: prefix.
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).filter((s) => s.length <= 64),
        (name) => {
          const id = natsActorId(name);
          expect(id.startsWith(NATS_ACTOR_PREFIX)).toBe(true);
          expect(apiKeyIdSchema.safeParse(id).success).toBe(false);
        },
      ),
      propertyRuns(300),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{12}$/), (hex) => {
        const keyId = apiKeyIdSchema.parse(`key-${hex}`);
        expect(keyId.startsWith(NATS_ACTOR_PREFIX)).toBe(false);
        // Not even a sender named like a key shares its id.
        expect(natsActorId(keyId)).not.toBe(keyId);
      }),
      propertyRuns(300),
    );
    const dir = await mkdtemp(join(tmpdir(), 'keys-'));
    try {
      const { key } = await new ApiKeyStore(join(dir, 'api-keys.json')).create({ label: 'partner', role: 'staff' });
      expect(key.id.startsWith(NATS_ACTOR_PREFIX)).toBe(false);
      expect(apiKeyIdSchema.safeParse(key.id).success).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the NATS request body is every campaign command, without its actor', () => {
    expect(commandBodySchema.options.map((o) => o.shape.type.value)).toEqual(campaignCommandSchema.options.map((o) => o.shape.type.value));
    for (const option of commandBodySchema.options) expect(Object.keys(option.shape)).not.toContain('actor');
  });
});

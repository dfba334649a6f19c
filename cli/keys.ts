import type { Command } from 'commander';
import { z } from 'zod';
import { ApiKeyFileError, ApiKeyStore, apiKeyIdSchema, createKeyRequestSchema, type ApiKeyInfo } from '../infra/api-keys.js';
import { apiKeysFile } from '../shared/config.js';
import { roleAllows } from '../shared/ids.js';
import type { CliContext } from './command-context.js';
import { collect, parseFlags } from './flags.js';
import { CliError, fields, table, type Colors } from './output.js';
import { actorText, instant } from './render.js';

/**
 * `advocacy keys create|list|revoke`: the API keys of the HTTP API and the dashboard (infra/api-keys.ts).
 * The CLI works on the key file directly (API_KEYS_FILE, default $DATA_DIR/api-keys.json), so what
 * protects it is who can write that file; on top of that, creating and revoking keys needs the
 * programme-lead role, like steering campaigns. A secret is printed once, at creation, and never again.
 */

export const createKeyFlagsSchema = z.object({
  label: createKeyRequestSchema.shape.label,
  role: createKeyRequestSchema.shape.role,
  country: createKeyRequestSchema.shape.countries,
});

export function keysTable(c: Colors, keys: ApiKeyInfo[]): string {
  if (keys.length === 0) return `${c.dim('no API keys; create one with `advocacy keys create --role staff --label "..."`')}\n`;
  return table(
    c,
    ['KEY', 'LABEL', 'ROLE', 'COUNTRIES', 'CREATED (UTC)', 'REVOKED (UTC)'],
    keys.map((k) => [
      k.revokedAt ? c.dim(k.id) : c.bold(k.id),
      k.label,
      k.role,
      k.countries?.join(' ') ?? c.dim('all'),
      c.dim(instant(k.createdAt)),
      k.revokedAt ? c.red(instant(k.revokedAt)) : '',
    ]),
  );
}

async function withStore<T>(ctx: CliContext, fn: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const path = apiKeysFile(ctx.config);
  try {
    return await fn(new ApiKeyStore(path));
  } catch (err) {
    if (err instanceof ApiKeyFileError)
      throw new CliError(
        'invalid',
        `the API key file ${path} is broken: ${err.problems.join('; ')}`,
        err.problems,
        'restore it from a backup, or fix it by hand; the API refuses every key until then',
      );
    throw err;
  }
}

/** Minting and revoking keys is steering: programme leads only (the CLI never acts as `system`). */
function requireLead(ctx: CliContext): ReturnType<CliContext['actor']> {
  const who = ctx.actor();
  if (!roleAllows(who.actor.role, 'programme-lead'))
    throw new CliError(
      'forbidden',
      `role ${who.actor.role} may not manage API keys; it needs programme-lead`,
      [],
      'ask a programme lead, or pass --role programme-lead (or set ADVOCACY_ROLE) if you are one',
    );
  return who;
}

export function registerKeys(program: Command, ctx: CliContext): void {
  const group = program
    .command('keys')
    .description('API keys of the HTTP API and dashboard: each bound to a role and optionally to countries');

  group
    .command('create')
    .description('create a key; its secret is shown once, now, and cannot be shown again (programme lead)')
    .option('--role <role>', 'viewer (read), staff (complete, skip, note, assign), programme-lead (start, steer, cancel) or system')
    .option('--country <ISO2>', 'limit the key to this state; repeatable (default: every country)', collect)
    .option('--label <text>', 'who or what uses the key (required)')
    .action(async (opts: Record<string, unknown>) => {
      // Here `--role` is the key's role; the user's own comes from `advocacy --role <r> keys create` or ADVOCACY_ROLE.
      const flags = parseFlags(createKeyFlagsSchema, opts);
      const who = requireLead(ctx);
      const created = await withStore(ctx, (store) => store.create({ label: flags.label, role: flags.role, countries: flags.country }));
      if (flags.role === 'system')
        ctx.out.notice('note: a system key may do everything, in every country; give it only to a trusted integration');
      ctx.out.result(
        created,
        (c) =>
          `${c.green('✔')} created API key ${c.bold(created.key.id)}  ${actorText(c, who)}\n` +
          fields(c, [
            ['label', created.key.label],
            ['role', created.key.role],
            ['countries', created.key.countries?.join(' ') ?? 'all'],
            ['secret', c.bold(created.secret)],
          ]) +
          `${c.yellow('Store the secret now: it is shown only this once.')} Send it as the header Authorization: Bearer <secret>, or sign in to the dashboard with it.\n`,
      );
    });

  group
    .command('list')
    .description('the keys (never their secrets), oldest first')
    .option('--all', 'include revoked keys')
    .action(async (opts: { all?: boolean }) => {
      const keys = await withStore(ctx, (store) => store.list({ includeRevoked: opts.all === true }));
      ctx.out.result(keys, (c) => keysTable(c, keys));
    });

  group
    .command('revoke <key>')
    .description('revoke a key at once, for the running API too (programme lead); it stays listed with --all')
    .action(async (key: string) => {
      const { key: id } = parseFlags(z.object({ key: apiKeyIdSchema }), { key }, ['key']);
      const who = requireLead(ctx);
      ctx.hints['not-found'] = 'see the keys with `advocacy keys list --all`';
      const revoked = await withStore(ctx, (store) => store.revoke(id));
      ctx.out.result(revoked, (c) => `${c.green('✔')} revoked API key ${c.bold(revoked.id)} (${revoked.label})  ${actorText(c, who)}\n`);
    });
}

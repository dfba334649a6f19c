import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { countrySchema } from '../shared/countries.js';
import { CampaignError } from '../shared/errors.js';
import { roleSchema } from '../shared/ids.js';
import { formatIssues, parseOrThrow, problemList } from '../shared/validation.js';

/**
 * API keys for the HTTP API and the dashboard, managed with `advocacy keys ...`.
 *
 * - A key is bound to a role and optionally to countries; it has an id (the actor id recorded in campaign
 *   history), a label and its creation time. Revoked keys stay in the file (their ids appear in history).
 * - The secret (`adv.<id>.<43 url-safe chars>`, 256 random bits) is shown once, at creation; the file
 *   holds only an scrypt hash with a per-key salt, compared with `timingSafeEqual`.
 * - The file (JSON, validated by `apiKeyFileSchema`) is replaced atomically (temp file, fsync, rename),
 *   so a crash leaves the old or the new version, never a torn one; writers take a lock file so two CLI
 *   runs never lose each other's changes. Readers (the API) reload it when it changes on disk, so a key
 *   created or revoked by the CLI takes effect without a restart.
 *
 * Usage: `const keys = new ApiKeyStore(apiKeysFile(config));`
 * `await keys.create({ label, role, countries })` → `{ key, secret }`; `await keys.list()`;
 * `await keys.revoke(id)`; `await keys.verify(secret)` → the active key or undefined.
 */

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const SECRET_PATTERN = /^adv\.(key-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64');

export const apiKeyIdSchema = z.string().regex(/^key-[0-9a-f]{12}$/, 'expected a key id such as key-0123456789ab');

export const storedKeySchema = z.object({
  id: apiKeyIdSchema,
  label: z.string().trim().min(1).max(200),
  role: roleSchema,
  /** Absent: every country. */
  countries: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .min(1)
    .optional(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
  hash: z.object({
    algorithm: z.literal('scrypt'),
    N: z.number().int().positive(),
    r: z.number().int().positive(),
    p: z.number().int().positive(),
    salt: base64,
    digest: base64,
  }),
});
export type StoredKey = z.infer<typeof storedKeySchema>;

export const apiKeyFileSchema = z.object({
  version: z.literal(1),
  keys: z.array(storedKeySchema),
});
export type ApiKeyFile = z.infer<typeof apiKeyFileSchema>;

/** What callers see of a key: everything but its hash. */
export type ApiKeyInfo = Omit<StoredKey, 'hash'>;

export const createKeyRequestSchema = z.object({
  label: z.string().trim().min(1, 'give the key a label (who or what uses it)').max(200),
  role: roleSchema,
  countries: z
    .array(countrySchema)
    .optional()
    .transform((c) => (c && c.length > 0 ? [...new Set(c)].sort() : undefined)),
});
export type CreateKeyRequest = z.input<typeof createKeyRequestSchema>;

/** The key file is missing parts, is not JSON or does not match the schema: named with its path. */
export class ApiKeyFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(problemList(`API key file ${path} is not valid`, problems));
    this.name = 'ApiKeyFileError';
  }
}

function scrypt(secret: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) =>
    scryptCallback(secret, salt, SCRYPT.keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const info = ({ hash: _hash, ...rest }: StoredKey): ApiKeyInfo => rest;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ApiKeyStoreOptions {
  now?: () => number;
  /** How long to wait for another writer's lock before giving up (ms). */
  lockTimeoutMs?: number;
}

export class ApiKeyStore {
  private cached: { file: ApiKeyFile; signature: string } | undefined;
  /** sha256(secret) → key id, for secrets verified since the file was last loaded. */
  private verified = new Map<string, string>();
  private readonly now: () => number;
  private readonly lockTimeoutMs: number;
  /** A hash to compare against when the id is unknown, so timing does not tell which ids exist. */
  private readonly decoy = { salt: randomBytes(16), digest: randomBytes(SCRYPT.keylen) };

  constructor(
    readonly path: string,
    options: ApiKeyStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  }

  /** Creates a key; the returned secret is shown once and never stored. */
  async create(request: CreateKeyRequest): Promise<{ key: ApiKeyInfo; secret: string }> {
    const { label, role, countries } = parseOrThrow(createKeyRequestSchema, request, 'key');
    const id = `key-${randomBytes(6).toString('hex')}`;
    const secret = `adv.${id}.${randomBytes(32).toString('base64url')}`;
    const salt = randomBytes(16);
    const digest = await scrypt(secret, salt, SCRYPT);
    const stored: StoredKey = {
      id,
      label,
      role,
      ...(countries ? { countries } : {}),
      createdAt: new Date(this.now()).toISOString(),
      hash: {
        algorithm: 'scrypt',
        N: SCRYPT.N,
        r: SCRYPT.r,
        p: SCRYPT.p,
        salt: salt.toString('base64'),
        digest: digest.toString('base64'),
      },
    };
    await this.modify((file) => {
      if (file.keys.some((k) => k.id === id)) throw new Error('key id collision; try again');
      file.keys.push(stored);
    });
    return { key: info(stored), secret };
  }

  /** Every key, oldest first; revoked ones only when asked. */
  async list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
    const file = await this.load();
    return file.keys.filter((k) => options.includeRevoked || !k.revokedAt).map(info);
  }

  /** The key with this id (revoked or not), or undefined. */
  async get(id: string): Promise<ApiKeyInfo | undefined> {
    const found = (await this.load()).keys.find((k) => k.id === id);
    return found ? info(found) : undefined;
  }

  /** Revokes a key at once for every process that reads the file. Revoking a revoked key is a conflict. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    let result: StoredKey | undefined;
    await this.modify((file) => {
      const key = file.keys.find((k) => k.id === id);
      if (!key) throw new CampaignError('not-found', `no API key with id ${id}`, ['id: not found; see `advocacy keys list`']);
      if (key.revokedAt) throw new CampaignError('conflict', `API key ${id} was already revoked on ${key.revokedAt}`);
      key.revokedAt = new Date(this.now()).toISOString();
      result = key;
    });
    return info(result as StoredKey);
  }

  /** The active key this secret belongs to, or undefined (malformed, unknown, wrong or revoked). */
  async verify(secret: string): Promise<ApiKeyInfo | undefined> {
    const match = SECRET_PATTERN.exec(secret);
    if (!match) return undefined;
    const file = await this.load();
    const key = file.keys.find((k) => k.id === match[1]);
    const fingerprint = sha256(secret);
    if (key && !key.revokedAt && this.verified.get(fingerprint) === key.id) return info(key);
    const salt = key ? Buffer.from(key.hash.salt, 'base64') : this.decoy.salt;
    const expected = key ? Buffer.from(key.hash.digest, 'base64') : this.decoy.digest;
    const actual = await scrypt(secret, salt, key?.hash ?? SCRYPT);
    const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
    if (!key || !equal || key.revokedAt) return undefined;
    this.verified.set(fingerprint, key.id);
    return info(key);
  }

  /** Reads the file when it changed on disk (or was never read); a missing file is an empty store. */
  private async load(): Promise<ApiKeyFile> {
    let signature: string;
    try {
      const s = await stat(this.path);
      signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      signature = 'missing';
    }
    if (this.cached?.signature === signature) return this.cached.file;
    const file = await this.readFile();
    this.cached = { file, signature };
    this.verified = new Map();
    return file;
  }

  private async readFile(): Promise<ApiKeyFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ApiKeyFileError(this.path, [`not JSON: ${(err as Error).message}`]);
    }
    const parsed = apiKeyFileSchema.safeParse(json);
    if (!parsed.success) throw new ApiKeyFileError(this.path, formatIssues(parsed.error));
    const ids = parsed.data.keys.map((k) => k.id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length)
      throw new ApiKeyFileError(
        this.path,
        duplicates.map((d) => `keys: id ${d} appears more than once`),
      );
    return parsed.data;
  }

  /** Read, change and atomically rewrite the file under the writers' lock. */
  private async modify(change: (file: ApiKeyFile) => void): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const release = await this.lock();
    try {
      const file = await this.readFile();
      change(file);
      await this.writeAtomically(apiKeyFileSchema.parse(file));
      this.cached = undefined;
    } finally {
      await release();
    }
  }

  private async writeAtomically(file: ApiKeyFile): Promise<void> {
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    // Make the rename itself durable.
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } catch {
      // Some file systems refuse fsync on a directory; the rename is still atomic.
    } finally {
      await dir.close();
    }
  }

  /** An exclusive lock file beside the store; a lock older than 30 s is taken as left by a crash. */
  private async lock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`;
    const deadline = this.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 30_000) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (this.now() > deadline)
        throw new CampaignError(
          'unavailable',
          `the API key file is locked by another process (${lockPath}); try again, or remove the lock file if no advocacy command is running`,
        );
      await sleep(25 + Math.random() * 25);
    }
  }
}

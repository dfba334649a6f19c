/**
 * Encryption of workflow payloads (infra/payload-codec.ts) and its configuration (PAYLOAD_KEYS,
 * PAYLOAD_KEYS_FILE, PAYLOAD_ACTIVE_KEY in shared/config.ts).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeHistory } from '../../infra/decode-history.js';
import {
  AesGcmPayloadCodec,
  dataConverterFor,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  payloadCodecFor,
} from '../../infra/payload-codec.js';
import { generatePayloadKey } from '../../infra/payload-keys.js';
import { repoRoot } from '../../infra/servers/index.js';
import { parseConfig } from '../../shared/config.js';
import { configProblemsOf as problemsOf } from '../support/config.js';

const note = { type: 'add-note', milestone: 'deposit', note: 'Met the witness at the detention centre' };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

const keyA = generatePayloadKey('a');
const keyB = generatePayloadKey('b');
const codecOf = (env: Record<string, string>) => payloadCodecFor(parseConfig(env));

describe('the payload codec', () => {
  const codec = codecOf({ PAYLOAD_KEYS: keyA });

  it('encrypts a payload so nothing of it is readable, and decrypts it back to the same payload', async () => {
    const plain = toPayload(note);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('a');
    expect(Object.keys(sealed!.metadata!).sort()).toEqual([KEY_ID_METADATA, 'encoding'].sort());
    const bytes = Buffer.from(sealed!.data!);
    expect(bytes.includes('witness')).toBe(false);
    expect(bytes.includes('json/plain')).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(fromPayload(opened!)).toEqual(note);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh nonce for every payload: the same plaintext never gives the same ciphertext', async () => {
    const sealed = await codec.encode([toPayload(note), toPayload(note), toPayload(note)]);
    const data = sealed.map((p) => Buffer.from(p.data!).toString('base64'));
    expect(new Set(data).size).toBe(3);
    const nonces = sealed.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex'));
    expect(new Set(nonces).size).toBe(3);
  });

  it('refuses a payload whose ciphertext, tag, nonce or key id was altered (GCM authentication)', async () => {
    const [sealed] = await codec.encode([toPayload(note)]);
    for (const at of [0, 12, 20, sealed!.data!.length - 1]) {
      const data = Buffer.from(sealed!.data!);
      data[at] = data[at]! ^ 0x01;
      await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/key "a".*failed authentication/);
    }
    // The same ciphertext under another listed key's id fails too (the id is authenticated data).
    const both = codecOf({ PAYLOAD_KEYS: `${keyA},${keyB}`, PAYLOAD_ACTIVE_KEY: 'a' });
    const moved = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    await expect(both.decode([moved])).rejects.toBeInstanceOf(PayloadDecryptionError);
  });

  it('passes payloads that are not encrypted through unchanged (histories written before encryption)', async () => {
    const plain = [toPayload(note), toPayload(null), toPayload({ a: 1 })];
    expect(await codec.decode(plain)).toEqual(plain);
  });

  it('rotates: new payloads use the active key, old ones still decode with the key they name', async () => {
    const [old] = await codecOf({ PAYLOAD_KEYS: keyA }).encode([toPayload(note)]);
    const rotated = codecOf({ PAYLOAD_KEYS: `${keyA},${keyB}`, PAYLOAD_ACTIVE_KEY: 'b' });
    const [fresh] = await rotated.encode([toPayload(note)]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('b');
    const opened = await rotated.decode([old!, fresh!]);
    expect(opened.map(fromPayload)).toEqual([note, note]);
    // A process that only has the new key names the one it lacks.
    await expect(codecOf({ PAYLOAD_KEYS: keyB }).decode([old!])).rejects.toThrow(
      'a payload is encrypted with key "a", which this process does not have: add it to PAYLOAD_KEYS',
    );
  });

  it('refuses an encrypted payload that names no key', async () => {
    const [sealed] = await codec.encode([toPayload(note)]);
    const nameless = { ...sealed!, metadata: { encoding: sealed!.metadata!.encoding! } };
    await expect(codec.decode([nameless])).rejects.toThrow(/names no key/);
  });

  it('is the one codec of the data converter', () => {
    const converter = dataConverterFor(parseConfig({ PAYLOAD_KEYS: keyA }));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs![0]).toBeInstanceOf(AesGcmPayloadCodec);
  });

  it('decodes a whole history: encrypted payloads opened, plain ones kept', async () => {
    const file = join(repoRoot, 'tests', 'histories', 'campaign-v2-opcat-steered.json');
    const plain = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
    const encrypted = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
    let sealedCount = 0;
    for (const event of encrypted.events ?? []) {
      const input = event.workflowExecutionStartedEventAttributes?.input ?? event.activityTaskScheduledEventAttributes?.input;
      if (input?.payloads) {
        input.payloads = await codec.encode(input.payloads);
        sealedCount += input.payloads.length;
      }
    }
    expect(sealedCount).toBeGreaterThan(1);
    expect(historyToJSON(encrypted)).not.toBe(historyToJSON(plain));
    expect(historyToJSON(await decodeHistory(encrypted, codec))).toBe(historyToJSON(plain));
  });
});

describe('payload keys in the configuration', () => {
  it('stops a process without any key, saying how to make one', () => {
    const [problem] = problemsOf(() => payloadCodecFor(parseConfig({})));
    expect(problem).toMatch(/^PAYLOAD_KEYS: not set\./);
    expect(problem).toContain('advocacy keys payload-generate');
    expect(problem).toContain('openssl rand -base64 32');
  });

  it('names the variable and the entry of a malformed key, never its material', () => {
    const short = `k1:${Buffer.alloc(16, 7).toString('base64')}`;
    const problems = problemsOf(() => parseConfig({ PAYLOAD_KEYS: `${short},nocolon,bad/id:${keyA.split(':')[1]}` }));
    expect(problems).toEqual([
      expect.stringMatching(/^PAYLOAD_KEYS: key "k1" is not 32 bytes in base64; make one with/),
      expect.stringMatching(/^PAYLOAD_KEYS: entry 2 is not <id>:<base64 key>/),
      expect.stringMatching(/^PAYLOAD_KEYS: entry 3: a key id has 1-64 letters/),
    ]);
    expect(problems.join('\n')).not.toContain(Buffer.alloc(16, 7).toString('base64'));
  });

  it('refuses a key id listed twice, and several keys without PAYLOAD_ACTIVE_KEY or with an unknown one', () => {
    expect(problemsOf(() => parseConfig({ PAYLOAD_KEYS: `${keyA},${keyA}` }))).toEqual(['PAYLOAD_KEYS: key id "a" is listed twice']);
    expect(problemsOf(() => parseConfig({ PAYLOAD_KEYS: `${keyA},${keyB}` }))).toEqual([
      'PAYLOAD_ACTIVE_KEY: 2 keys are listed (a, b); name the one that encrypts new payloads',
    ]);
    expect(problemsOf(() => parseConfig({ PAYLOAD_KEYS: keyA, PAYLOAD_ACTIVE_KEY: 'c' }))).toEqual([
      'PAYLOAD_ACTIVE_KEY: no key "c" is listed; the ids are: a',
    ]);
  });

  it('refuses PAYLOAD_KEYS and PAYLOAD_KEYS_FILE together', () => {
    expect(problemsOf(() => parseConfig({ PAYLOAD_KEYS: keyA, PAYLOAD_KEYS_FILE: '/etc/advocacy/payload-keys' }))).toEqual([
      'PAYLOAD_KEYS_FILE: set PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, not both',
    ]);
  });

  it('reads a key file (one entry a line, comments), and names the file when it is missing or malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payload-keys-'));
    const file = join(dir, 'payload-keys');
    writeFileSync(file, `# rotated on 2025-01-01\n${keyA}\n${keyB}  # current\n`);
    const codec = codecOf({ PAYLOAD_KEYS_FILE: file, PAYLOAD_ACTIVE_KEY: 'b' });
    expect(codec.activeKeyId).toBe('b');
    const [sealed] = await codec.encode([toPayload(note)]);
    expect(fromPayload((await codecOf({ PAYLOAD_KEYS: `${keyA},${keyB}`, PAYLOAD_ACTIVE_KEY: 'a' }).decode([sealed!]))[0]!)).toEqual(note);

    expect(problemsOf(() => codecOf({ PAYLOAD_KEYS_FILE: join(dir, 'missing') }))).toEqual([
      `PAYLOAD_KEYS_FILE (${join(dir, 'missing')}): cannot read the file (ENOENT)`,
    ]);
    writeFileSync(file, 'a:tooshort\n');
    expect(problemsOf(() => codecOf({ PAYLOAD_KEYS_FILE: file }))).toEqual([
      expect.stringMatching(new RegExp(`^PAYLOAD_KEYS_FILE \\(${file}\\): key "a" is not 32 bytes in base64`)),
    ]);
    writeFileSync(file, `${keyA}\n${keyB}\n`);
    expect(problemsOf(() => codecOf({ PAYLOAD_KEYS_FILE: file }))).toEqual([
      'PAYLOAD_ACTIVE_KEY: 2 keys are listed (a, b); name the one that encrypts new payloads',
    ]);
  });

  it('generates entries that the configuration accepts, each with its own key', () => {
    const [a, b] = [generatePayloadKey(), generatePayloadKey()];
    expect(a).toMatch(/^k\d{8}:[A-Za-z0-9+/]{43}=$/);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
    expect(parseConfig({ PAYLOAD_KEYS: a }).PAYLOAD_KEYS).toBe(a);
  });
});

import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../shared/config.js';
import { payloadKeyringFor, type PayloadKeyring } from './payload-keys.js';

/**
 * Encryption of workflow payloads at rest: every payload a client or worker of the engine sends to
 * Temporal (workflow and activity inputs and results, updates, signals, queries, memos: notes, evidence,
 * reasons, owners) is encrypted here first, so Temporal's database and its Web UI hold ciphertext only.
 *
 * Format (`binary/encrypted`): the whole original payload (its metadata and data, as protobuf bytes) is
 * sealed with AES-256-GCM under a fresh 96-bit nonce; `data` = nonce | ciphertext | 16-byte tag, the
 * metadata names the key (`encryption-key-id`), and the tag also covers that id (additional data), so a
 * payload moved under another key id fails to open. Decoding picks the key by that id (keys rotate
 * without losing old histories) and passes any payload without this encoding through unchanged: the
 * histories recorded before encryption, and anything Temporal itself wrote in clear.
 *
 * Search attributes are not payloads a codec sees: they stay readable (shared/campaign/search.ts keeps
 * them to ids, country, stage and status).
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const additionalData = (keyId: string) => Buffer.from(`${ENCRYPTED_ENCODING};${keyId}`, 'utf8');

/** A payload could not be decrypted: its key is not configured here, or it was altered. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  get activeKeyId(): string {
    return this.keyring.activeId;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeId;
    const key = this.keyring.keys.get(keyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const nonce = randomBytes(NONCE_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
        cipher.setAAD(additionalData(keyId));
        const sealed = Buffer.concat([nonce, cipher.update(PayloadMessage.encode(payload).finish()), cipher.final(), cipher.getAuthTag()]);
        return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) }, data: sealed };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // A failure rejects the promise (as the SDK expects of a codec) instead of throwing.
    return Promise.resolve().then(() => payloads.map((payload) => this.decodeOne(payload)));
  }

  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptionError(`an encrypted payload names no key (no "${KEY_ID_METADATA}" metadata)`);
    const key = this.keyring.keys.get(keyId);
    if (!key)
      throw new PayloadDecryptionError(
        `a payload is encrypted with key "${keyId}", which this process does not have: add it to PAYLOAD_KEYS (or PAYLOAD_KEYS_FILE); keep old keys listed after a rotation`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`an encrypted payload (key "${keyId}") is too short to be one`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `an encrypted payload (key "${keyId}") failed authentication: it was altered, or sealed with another key of that id`,
      );
    }
    return PayloadMessage.decode(plain);
  }
}

/** The payload codec of the configuration (see `payloadKeyringFor` for its errors). */
export function payloadCodecFor(config: Pick<Config, 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE' | 'PAYLOAD_ACTIVE_KEY'>): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(payloadKeyringFor(config));
}

/**
 * The data converter of every Temporal Client, Worker and replay of the engine: the default payload
 * converter, then encryption. One place, so no process can write a payload in clear by being made
 * differently.
 */
export function dataConverterFor(config: Pick<Config, 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE' | 'PAYLOAD_ACTIVE_KEY'>): DataConverter {
  return { payloadCodecs: [payloadCodecFor(config)] };
}

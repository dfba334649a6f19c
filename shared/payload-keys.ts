/**
 * The payload-key list of the configuration (PAYLOAD_KEYS, or the file PAYLOAD_KEYS_FILE names): entries
 * `<id>:<base64 of 32 bytes>`, separated by commas or new lines. Several keys may be listed so that
 * payloads written under an earlier key stay readable after a rotation; PAYLOAD_ACTIVE_KEY names the one
 * that encrypts new payloads (needed only when there are several).
 *
 * Pure checks of the text only (the workflow sandbox may load shared/): infra/payload-codec.ts turns the
 * entries into keys.
 */

export interface PayloadKeyEntry {
  id: string;
  /** Standard base64 of exactly 32 bytes. */
  base64: string;
}

export interface PayloadKeyList {
  entries: PayloadKeyEntry[];
  /** The id of the key that encrypts new payloads. */
  activeId: string;
}

export const PAYLOAD_KEY_HINT = 'make one with `advocacy keys payload-generate` (or `openssl rand -base64 32` for the key part)';

const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** 32 bytes in standard base64: 42 full characters, one carrying 4 bits, then one `=`. */
const key32Pattern = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isPayloadKeyId(id: string): boolean {
  return keyIdPattern.test(id);
}

/** Entries and problems of a key list; `#` starts a comment that runs to the end of the line. */
export function parsePayloadKeyEntries(text: string): { entries: PayloadKeyEntry[]; problems: string[] } {
  const entries: PayloadKeyEntry[] = [];
  const problems: string[] = [];
  const items = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(',')
    .split(/[,\s]+/)
    .filter((item) => item !== '');
  items.forEach((item, index) => {
    const colon = item.indexOf(':');
    // Never echo an entry: it holds key material.
    if (colon < 0) {
      problems.push(`entry ${index + 1} is not <id>:<base64 key>; ${PAYLOAD_KEY_HINT}`);
      return;
    }
    const id = item.slice(0, colon);
    const base64 = item.slice(colon + 1);
    if (!isPayloadKeyId(id)) {
      problems.push(`entry ${index + 1}: a key id has 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
      return;
    }
    if (!key32Pattern.test(base64)) {
      problems.push(`key "${id}" is not 32 bytes in base64; ${PAYLOAD_KEY_HINT}`);
      return;
    }
    if (entries.some((e) => e.id === id)) {
      problems.push(`key id "${id}" is listed twice`);
      return;
    }
    entries.push({ id, base64 });
  });
  if (items.length === 0) problems.push(`no key is listed; ${PAYLOAD_KEY_HINT}`);
  return { entries, problems };
}

/** Which key encrypts: the named one, or the only one. */
export function activePayloadKey(
  entries: readonly PayloadKeyEntry[],
  activeId: string | undefined,
): { activeId?: string; problem?: string } {
  if (activeId !== undefined) {
    if (entries.some((e) => e.id === activeId)) return { activeId };
    return { problem: `no key "${activeId}" is listed; the ids are: ${entries.map((e) => e.id).join(', ') || '(none)'}` };
  }
  if (entries.length === 1) return { activeId: entries[0]!.id };
  return { problem: `${entries.length} keys are listed (${entries.map((e) => e.id).join(', ')}); name the one that encrypts new payloads` };
}

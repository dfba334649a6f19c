import { describe, expect, it } from 'vitest';
import { cursorSchema } from '../../shared/campaign/cursor.js';
import { cursorOfToken, tokenOfCursor } from '../../infra/visibility-page.js';

/** Cursors carry Temporal's page token behind a check, so a made-up or altered one is refused before Temporal sees it. */
describe('list cursors', () => {
  const token = new TextEncoder().encode('{"LastStartTime":"2026-03-10T00:00:00Z","LastRunID":"r-1"}');

  it('give the token back, in the form the cursor schema accepts', () => {
    const cursor = cursorOfToken(token);
    expect(cursorSchema.safeParse(cursor).success).toBe(true);
    expect(Buffer.from(tokenOfCursor(cursor) ?? [])).toEqual(Buffer.from(token));
  });

  it('refuse a cursor that was altered, cut or made up', () => {
    const cursor = cursorOfToken(token);
    const altered = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
    expect(tokenOfCursor(altered)).toBeUndefined();
    expect(tokenOfCursor(cursor.slice(0, -4))).toBeUndefined();
    expect(tokenOfCursor('bm90LWEtdG9rZW4')).toBeUndefined();
    expect(tokenOfCursor('AAAA')).toBeUndefined();
  });
});

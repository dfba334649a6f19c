import { cursorSchema } from '../shared/campaign/cursor.js';

/**
 * Next and previous links of the dashboard's paged lists. Temporal's page tokens only go forward, so a
 * page's URL carries the cursors of the pages before it (`back`, '.'-separated, '' for the first page):
 * "previous" pops one. Only the last MAX_BACK are kept, so a URL stays short; past that, "previous"
 * leads back as far as they go.
 */

export interface PageLinks {
  next?: string;
  previous?: string;
}

/** Where the page stands: its own cursor (none on the first page) and the cursors of the pages before it. */
export interface PagePosition {
  cursor?: string;
  back: string[];
}

const MAX_BACK = 50;

/** The position from the query's `cursor` and `back`; a `back` entry that is no cursor is dropped. */
export function pagePosition(cursor: string | undefined, back: string | undefined): PagePosition {
  const chain = (back ? back.split('.') : []).filter((c) => c === '' || cursorSchema.safeParse(c).success).slice(-MAX_BACK);
  return { ...(cursor ? { cursor } : {}), back: chain };
}

export function pageLinks(
  path: string,
  params: Record<string, string | number | boolean | undefined>,
  position: PagePosition,
  nextCursor: string | undefined,
): PageLinks {
  const href = (cursor: string | undefined, back: string[]) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) query.set(k, String(v));
    if (cursor) query.set('cursor', cursor);
    if (back.length > 0 && back.some((c) => c !== '')) query.set('back', back.join('.'));
    const search = query.toString();
    return search ? `${path}?${search}` : path;
  };
  const links: PageLinks = {};
  if (nextCursor) links.next = href(nextCursor, [...position.back, position.cursor ?? ''].slice(-MAX_BACK));
  if (position.cursor) links.previous = href(position.back.at(-1), position.back.slice(0, -1));
  return links;
}

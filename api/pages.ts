import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How a page of a list says where the next one is, for the endpoints whose answer stays a bare array (so
 * existing clients keep working): the cursor in a `Next-Cursor` header, and the whole next URL in a
 * `Link: <...>; rel="next"` header (RFC 8288). On the last page neither is sent.
 */
export function linkNextPage(request: FastifyRequest, reply: FastifyReply, nextCursor: string | undefined): void {
  if (!nextCursor) return;
  const url = new URL(request.url, 'http://api.invalid');
  url.searchParams.set('cursor', nextCursor);
  void reply.header('next-cursor', nextCursor);
  void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
}

/** The text the OpenAPI descriptions give for the paging headers. */
export const pagingHeadersDoc =
  'Header `Next-Cursor`, when more follow: give it as `cursor` for the next page (the `Link` header with `rel="next"` ' +
  'holds the whole next URL); absent on the last page.';

import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { createHash } from 'node:crypto';

/**
 * One page of a visibility query, with Temporal's token for the next page: the client's `workflow.list`
 * hides the token behind an iterator, and a cursor that a caller brings back later needs it.
 */
export interface VisibilityPage {
  executions: WorkflowExecutionInfo[];
  /** The cursor of the next page (`cursorOfToken`), absent on the last page. */
  nextCursor?: string;
}

/**
 * A cursor is the token behind a short check of it, base64url: a cursor that was not given as is (cut,
 * altered, made up) is refused here, before Temporal sees it (which answers a token it cannot read with an
 * internal error, retried until the deadline, not with "invalid argument").
 */
const CHECK_BYTES = 6;
const checkOf = (token: Uint8Array) => createHash('sha256').update('advocacy-cursor-v1').update(token).digest().subarray(0, CHECK_BYTES);

export function cursorOfToken(token: Uint8Array): string {
  return Buffer.concat([checkOf(token), token]).toString('base64url');
}

/** The next-page token of a cursor, or undefined when the cursor is not one `cursorOfToken` gave. */
export function tokenOfCursor(cursor: string): Uint8Array | undefined {
  const bytes = Buffer.from(cursor, 'base64url');
  const token = bytes.subarray(CHECK_BYTES);
  if (bytes.length <= CHECK_BYTES || !checkOf(token).equals(bytes.subarray(0, CHECK_BYTES))) return undefined;
  return token;
}

/** Thrown for a cursor that `tokenOfCursor` refuses. */
export class BadCursorError extends Error {}

export async function visibilityPage(client: Client, query: string, pageSize: number, cursor?: string): Promise<VisibilityPage> {
  const { namespace, loadedDataConverter } = client.options;
  const nextPageToken = cursor === undefined ? Buffer.alloc(0) : tokenOfCursor(cursor);
  if (!nextPageToken) throw new BadCursorError('not a cursor a page gave');
  const response = await client.workflowService.listWorkflowExecutions({
    namespace,
    query,
    pageSize,
    nextPageToken,
  });
  const executions = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)));
  const token = response.nextPageToken;
  return { executions, ...(token && token.length > 0 ? { nextCursor: cursorOfToken(token) } : {}) };
}

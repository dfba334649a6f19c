import { z } from 'zod';

/**
 * The cursor of a list's next page: opaque to callers (Temporal's visibility page token, base64url), given
 * back as is to get the page after. Only its form is checked here; a token Temporal does not accept is
 * refused when the page is read, naming the same field.
 */
export const cursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'expected the cursor of a previous page, as given (base64url)')
  .describe("Where to go on: a previous page's `nextCursor` (or `Next-Cursor` header), as given");

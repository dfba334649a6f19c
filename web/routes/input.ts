import { z } from 'zod';

/** Reading the dashboard's form bodies and query strings, which browsers send as strings (or repeated strings). */

export const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional();

/** A form field as one string (the first, when repeated); '' when absent. */
export function field(body: Record<string, string | string[]> | undefined, name: string): string {
  const v = body?.[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A query parameter as one string (the first, when repeated). */
export function param(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  const one: unknown = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : undefined;
}

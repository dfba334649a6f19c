import { z } from 'zod';
import type { CampaignError } from '../shared/errors.js';
import { issuePlace } from '../shared/validation.js';
import { CliError } from './output.js';

/**
 * Flag validation: every command parses its flags and arguments with a zod schema built from the
 * shared field schemas (country codes, slugs, dates, durations...), so the CLI accepts exactly what the
 * engine accepts, and each problem names the flag (`--start-date: not a real calendar date`).
 */

/** Commander collector for repeatable flags (`--input a=1 --input b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/** How a schema key is written on the command line: `startDate` -> `--start-date`, a positional -> `<campaign>`. */
export function flagName(key: string, positionals: readonly string[] = []): string {
  return positionals.includes(key) ? `<${key}>` : `--${kebab(key)}`;
}

interface IssueLike {
  code?: string;
  path: PropertyKey[];
  message: string;
  issues?: IssueLike[];
}

/** The message of an issue, unwrapping zod's nested ones ("Invalid key in record" says nothing). */
function issueMessage(issue: IssueLike): string {
  if ((issue.code === 'invalid_key' || issue.code === 'invalid_element') && issue.issues?.length)
    return issue.issues.map((i) => i.message).join('; ');
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'required';
  if (issue.code === 'invalid_type' && issue.message.endsWith('received NaN')) return 'expected a number';
  return issue.message;
}

/**
 * `--input lawNumber: ...`, `<campaign>: ...`, `--country XX: ...` (a repeated flag is named by the value
 * given, not by its position). The shared `place: message` form (shared/validation.ts), with the places
 * as the command line names them, `(flags)` for the flags as a whole.
 */
export function flagIssues(error: z.ZodError, positionals: readonly string[] = [], values: unknown = {}): string[] {
  const byFlag = new Map<string, string>();
  for (const issue of error.issues as IssueLike[]) {
    const [first, ...rest] = issue.path.map(String);
    let where = '(flags)';
    if (first !== undefined) {
      const given = (values as Record<string, unknown>)[first];
      const index = rest[0] !== undefined && /^\d+$/.test(rest[0]) ? Number(rest[0]) : undefined;
      if (Array.isArray(given) && index !== undefined && typeof given[index] === 'string') rest[0] = given[index];
      where = `${flagName(first, positionals)}${rest.length ? ` ${issuePlace(rest)}` : ''}`;
    }
    // One problem per flag: a value that is not a date at all is not also "not a real calendar date".
    if (!byFlag.has(where)) byFlag.set(where, `${where}: ${issueMessage(issue)}`);
  }
  return [...byFlag.values()];
}

/** Parses flags and positionals; throws an `invalid` CliError naming each bad flag. */
export function parseFlags<S extends z.ZodType>(schema: S, values: unknown, positionals: readonly string[] = []): z.output<S> {
  const result = schema.safeParse(values);
  if (!result.success) {
    const issues = flagIssues(result.error, positionals, values);
    throw new CliError('invalid', `invalid flags: ${issues.join('; ')}`, issues);
  }
  return result.data;
}

/**
 * A repeatable `key=value` flag, checked as the record `target` (e.g. `z.record(fieldName, z.string())` or
 * a command's own evidence schema): a missing `=` or a key given twice is an error; `form` names the
 * expected shape in messages.
 */
export function pairs<T extends z.ZodType>(target: T, form = 'name=value'): z.ZodType<z.output<T>, string[] | undefined> {
  const split = z
    .array(z.string())
    .default([])
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      for (const item of items) {
        const at = item.indexOf('=');
        if (at <= 0) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not ${form}` });
          continue;
        }
        const name = item.slice(0, at);
        if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'given twice' });
        seen.add(name);
      }
    })
    .transform((items): Record<string, string> =>
      Object.fromEntries(items.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)])),
    );
  // The target accepts a record of strings (its input type may be wider, e.g. with a default).
  return split.pipe(target as unknown as z.ZodType<z.output<T>, Record<string, string>>);
}

/** A campaign id as given on the command line (the facade says whether it exists). */
export const campaignIdArg = z.string().trim().min(1, 'name the campaign (see `advocacy campaign list`)').max(200);

/** Optional free text from a flag: trimmed; an empty string is "not given". */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/** A positive count given as a flag (`--limit 50`). */
export const countFlag = (max: number) => z.coerce.number().int().min(1).max(max);

/** The same error with its issues (and their copies in the message) renamed, e.g. request fields to flags. */
export function renameIssues(err: CampaignError, rename: (issue: string) => string): CampaignError {
  if (err.issues.length === 0) return err;
  const issues = err.issues.map(rename);
  const message = err.issues.reduce((m, original, i) => m.replace(original, issues[i] ?? original), err.message);
  return new CliError(err.code, message, issues, err instanceof CliError ? err.hint : undefined);
}

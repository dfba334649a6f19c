import type { z } from 'zod';
import { CampaignError } from './errors.js';

/**
 * How every part of the engine reports what is wrong with an input: one line per problem, `place:
 * message`, where the place is the field's dotted path (`milestones.3.dependsOn.0`). An issue about the
 * value as a whole is placed at `(root)`; only an interface that names its input the way its sender
 * knows it says otherwise (`(body)` for a NATS or HTTP body, `(flags)` on the command line).
 *
 * Runs in the workflow sandbox too (the workflow validates commands with it): no Node built-ins.
 */

export interface IssueFormat {
  /** The place of an issue about the whole value; default `(root)`. */
  root?: string;
}

/** What `formatIssues` reads of an error: zod's, or anything shaped like it. */
export interface IssuesLike {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/** The dotted place of a path, or the root label when the path is empty. */
export function issuePlace(path: readonly PropertyKey[], root = '(root)'): string {
  return (
    path
      .map(String)
      .filter((p) => p !== '')
      .join('.') || root
  );
}

/** One `place: message` line per issue. */
export function formatIssues(error: IssuesLike, format: IssueFormat = {}): string[] {
  return error.issues.map((i) => `${issuePlace(i.path, format.root)}: ${i.message}`);
}

/** An `invalid` error naming `what` was invalid, with every issue in the message and in `issues`. */
export function invalidError(what: string, error: IssuesLike, format: IssueFormat = {}): CampaignError {
  const issues = formatIssues(error, format);
  return new CampaignError('invalid', `invalid ${what}: ${issues.join('; ')}`, issues);
}

/** Parses `value`, or throws an `invalid` CampaignError (`invalid <what>: place: message; ...`). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, format: IssueFormat = {}): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidError(what, result.error, format);
  return result.data;
}

/** A heading and one indented line per problem, the message of the errors that carry a problem list. */
export function problemList(heading: string, problems: readonly string[]): string {
  return `${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

import Table from 'cli-table3';
import picocolors from 'picocolors';
import { CampaignError, errorCodes, type ErrorCode } from '../shared/errors.js';

export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Everything the CLI prints goes through here: readable tables and colours for people, JSON for scripts
 * (`--json`: data on stdout, errors as one JSON document on stderr), and the exit code of every error.
 */

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
}

/**
 * Colour only for a terminal: never when NO_COLOR is set (https://no-color.org), with `--no-color`, when
 * the stream is not a TTY (pipes, files, CI logs) or TERM is "dumb"; FORCE_COLOR (not "0") forces it on.
 */
export function colourEnabled(stream: OutStream, env: Record<string, string | undefined>, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export const exitCodes = { ok: 0, unexpected: 1, ...Object.fromEntries(Object.entries(errorCodes).map(([k, v]) => [k, v.exit])) } as Record<
  'ok' | 'unexpected' | ErrorCode,
  number
>;

/** An error the CLI itself raises, with a next step for the user. */
export class CliError extends CampaignError {
  constructor(
    code: ErrorCode,
    message: string,
    issues: string[] = [],
    readonly hint?: string,
  ) {
    super(code, message, issues);
    this.name = 'CliError';
  }
}

export interface ErrorReport {
  code: ErrorCode | 'unexpected';
  message: string;
  issues: string[];
  hint?: string;
  exitCode: number;
}

export type Hints = Partial<Record<ErrorCode | 'unexpected', string>>;

/** What to do next, by error code, when the command has nothing more specific to say. */
export const defaultHints: Required<Hints> = {
  invalid: 'fix the values named above; add --help to the command to see every flag',
  unauthorized: 'check the API key',
  forbidden: 'act with a role that may do this: --role or ADVOCACY_ROLE (see README "CLI")',
  'not-found': 'see what exists with `advocacy campaign list` or `advocacy templates list`',
  conflict: 'this has already happened or the campaign is closed; `advocacy campaign show <id>` shows its state',
  precondition: 'the campaign is not ready for this yet; `advocacy campaign show <id>` shows what is open and blocked',
  unavailable:
    'start the stack with `npm run dev`, or point TEMPORAL_ADDRESS / NATS_URL at running servers (and TEMPORAL_TASK_QUEUE at a running engine worker)',
  unexpected: 'this looks like a bug: run again with LOG_LEVEL=debug and report the command and its output',
};

/** Turns anything thrown into a report with a meaningful exit code and a next step. */
export function errorReport(err: unknown, hints: Hints = {}): ErrorReport {
  if (err instanceof CampaignError) {
    const hint = (err instanceof CliError ? err.hint : undefined) ?? hints[err.code] ?? defaultHints[err.code];
    return { code: err.code, message: err.message, issues: err.issues, hint, exitCode: exitCodes[err.code] };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'unexpected', message, issues: [], hint: hints.unexpected ?? defaultHints.unexpected, exitCode: exitCodes.unexpected };
}

/** The headline without the issues it repeats (`invalid flags: a; b` -> `invalid flags`) when they are listed below it. */
function headline(report: ErrorReport): string {
  if (report.issues.length < 2) return report.message;
  const tail = `: ${report.issues.join('; ')}`;
  return report.message.endsWith(tail) ? report.message.slice(0, -tail.length) : report.message;
}

export function formatErrorText(report: ErrorReport, c: Colors): string {
  const lines = [`${c.red(c.bold('error:'))} ${headline(report)}`];
  if (report.issues.length > 1) lines.push(...report.issues.map((i) => `  - ${i}`));
  if (report.hint) lines.push(`${c.yellow('hint:')} ${report.hint}`);
  return `${lines.join('\n')}\n`;
}

export function formatErrorJson(report: ErrorReport): string {
  return `${JSON.stringify({ error: report })}\n`;
}

export interface TableOptions {
  /** Right-align these columns (0-based). */
  right?: number[];
}

/** A borderless table: header in bold, columns two spaces apart; cli-table3 measures colour codes correctly. */
export function table(c: Colors, head: string[], rows: (string | number)[][], options: TableOptions = {}): string {
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (options.right?.includes(i) ? 'right' : 'left')),
  });
  t.push(...rows.map((r) => r.map((cell) => String(cell))));
  // cli-table3 pads the last column; trailing spaces only get in the way of diffs and greps.
  return `${t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')}\n`;
}

/** `label  value` lines with the labels aligned. */
export function fields(c: Colors, entries: [string, string | undefined][]): string {
  const shown = entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${c.dim(k.padEnd(width))}  ${v}`).join('\n') + '\n';
}

/** One line of at most `max` characters (whitespace collapsed), ending in … when cut. */
export function clip(text: string | undefined, max: number): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Wraps prose at word boundaries to lines of at most `width` characters. */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function progressBar(percent: number, width = 20): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const full = Math.round((clamped / 100) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(clamped).padStart(3)}%`;
}

/** Where a command writes, in the mode the user chose. */
export class Output {
  readonly c: Colors;
  readonly errColours: Colors;

  constructor(
    private readonly io: CliIO,
    readonly json: boolean,
    colourFlag?: boolean,
  ) {
    this.c = picocolors.createColors(colourEnabled(io.stdout, io.env, colourFlag));
    this.errColours = picocolors.createColors(colourEnabled(io.stderr, io.env, colourFlag));
  }

  /** The command's result: JSON when asked for, else the readable rendering. */
  result(value: unknown, human: (c: Colors) => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else this.io.stdout.write(human(this.c));
  }

  /** One JSON document per line (streams such as `events tail --json`). */
  line(value: unknown, human: (c: Colors) => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value)}\n`);
    else this.io.stdout.write(`${human(this.c)}\n`);
  }

  /**
   * Progress of a long operation. Readable mode: on stdout with the rest. JSON mode: on stderr and only
   * for a terminal, so that stdout stays one JSON document and scripts see no noise.
   */
  progress(text: string): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
    else if (this.io.stderr.isTTY) this.io.stderr.write(`${text}\n`);
  }

  /** A remark for the person at the terminal (never part of the data): stderr, suppressed in JSON mode. */
  notice(text: string): void {
    if (!this.json) this.io.stderr.write(`${this.errColours.dim(text)}\n`);
  }

  /**
   * A warning that does not change the outcome (the exit code stays 0), e.g. campaigns a list could not
   * read: a block on stderr, or one JSON document `{ "warning": ... }` on stderr in JSON mode, so stdout
   * keeps the data alone.
   */
  warning(message: string, lines: readonly string[], data: Record<string, unknown> = {}): void {
    if (this.json) {
      this.io.stderr.write(`${JSON.stringify({ warning: { message, ...data } })}\n`);
      return;
    }
    const c = this.errColours;
    this.io.stderr.write(`${c.yellow(c.bold('warning:'))} ${message}\n${lines.map((l) => `  - ${l}\n`).join('')}`);
  }

  /**
   * Where a paged list goes on, when more follow: a hint with the flag to give (readable mode), or one JSON
   * document `{ "nextCursor": ... }` on stderr (JSON mode), so stdout keeps the page alone.
   */
  nextPage(nextCursor: string | undefined, what: string): void {
    if (!nextCursor) return;
    if (this.json) this.io.stderr.write(`${JSON.stringify({ nextCursor })}\n`);
    else this.io.stderr.write(`${this.errColours.dim(`more ${what} follow: add --cursor ${nextCursor} for the next page, or --all`)}\n`);
  }

  error(report: ErrorReport): void {
    this.io.stderr.write(this.json ? formatErrorJson(report) : formatErrorText(report, this.errColours));
  }
}

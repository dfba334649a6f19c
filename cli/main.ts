import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCampaign } from './campaign.js';
import { CliContext, defaultDeps, type CliDeps } from './command-context.js';
import { registerDue } from './due.js';
import { registerEvents } from './events.js';
import { registerKeys } from './keys.js';
import { registerMilestone } from './milestone.js';
import { CliError, errorReport, Output, type CliIO } from './output.js';
import { registerSeed } from './seed.js';
import { registerTemplates } from './templates.js';

/**
 * `advocacy`: the command line for programme leads, staff and operators. Every command goes through the
 * campaign facade (clients/campaign-client.ts), as the HTTP API and the dashboard do, so all entry points
 * validate and answer alike. Exit codes: 0 ok, 1 unexpected, 2 invalid input, 3 not found, 4 forbidden,
 * 5 conflict, 6 precondition, 7 unavailable (shared/errors.ts).
 */

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('advocacy')
    .description('Run torture-prevention advocacy campaigns: templates, campaigns, milestones, events, region seeding')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Options before the subcommand belong to `advocacy`, after it to the subcommand: so `keys create
    // --role` can mean the key's role while `advocacy --role ... keys create` is still the user's.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Every command takes --json (machine-readable stdout; errors as JSON on stderr), --no-color, --actor and --role.
Exit codes: 0 ok, 2 invalid input, 3 not found, 4 forbidden, 5 conflict, 6 precondition, 7 unavailable, 1 unexpected.
Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, NATS_URL, EVENTS_STREAM, TEMPLATES_DIR,
API_KEYS_FILE, ADVOCACY_ACTOR, ADVOCACY_ROLE, NO_COLOR (see README "CLI").`,
    );
  addCommonOptions(program);
  registerTemplates(program, ctx);
  registerCampaign(program, ctx);
  registerMilestone(program, ctx);
  registerDue(program, ctx);
  registerEvents(program, ctx);
  registerSeed(program, ctx);
  registerKeys(program, ctx);
  const ownRole = new Set<Command>();
  for (const leaf of leaves(program)) {
    if (leaf.options.some((o) => o.long === '--role')) ownRole.add(leaf);
    addCommonOptions(leaf, { role: !ownRole.has(leaf) });
  }
  program.hook('preAction', (_root, action) => {
    const root = program.opts<CommonFlags>();
    const own = action.opts<CommonFlags>();
    ctx.configure({
      json: own.json ?? root.json ?? false,
      color: own.color === false || root.color === false ? false : undefined,
      actor: own.actor ?? root.actor,
      role: ownRole.has(action) ? root.role : (own.role ?? root.role),
    });
  });
  // Errors are rendered by `main` (text or JSON); commander only throws them.
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: () => undefined,
    });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}

interface CommonFlags {
  json?: boolean;
  color?: boolean;
  actor?: string;
  role?: string;
}

/** The flags every command takes, so they can follow the subcommand (`advocacy campaign list --json`). */
function addCommonOptions(cmd: Command, options: { role?: boolean } = {}): void {
  cmd
    .option('--json', 'machine-readable output on stdout; errors as JSON on stderr')
    .option('--no-color', 'no colours (also NO_COLOR=1; never when the output is not a terminal)')
    .option('--actor <id>', 'who you are, recorded in campaign history (default: ADVOCACY_ACTOR, else your OS user name)');
  if (options.role !== false)
    cmd.option('--role <role>', 'your role: programme-lead, staff or viewer (default: ADVOCACY_ROLE, else programme-lead)');
}

function leaves(cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves);
}

/** The names of the (sub)command the arguments select, e.g. `campaign start`. */
export function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let current = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) break;
    path.push(next.name());
    current = next;
  }
  return path;
}

/** A commander usage error (unknown flag, missing argument...) as an `invalid` error pointing at --help. */
function usageError(err: CommanderError, program: Command, argv: readonly string[]): CliError {
  const path = commandPath(program, argv);
  const message = err.message.replace(/^error: /, '').replace(/\n+/g, ' ');
  return new CliError('invalid', message, [], `see \`advocacy ${[...path, '--help'].join(' ')}\``);
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO, deps: CliDeps = defaultDeps): Promise<number> {
  const ctx = new CliContext(io, deps);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (thrown) {
    let err = thrown;
    if (err instanceof CommanderError) {
      // --help and --version print and succeed; help shown for a missing subcommand is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
      err = usageError(err, program, argv);
    }
    // A usage error may come before the global flags were applied: honour --json and --no-color anyway.
    const out = ctx.configured ? ctx.out : new Output(io, argv.includes('--json'), argv.includes('--no-color') ? false : undefined);
    const report = errorReport(err, ctx.hints);
    out.error(report);
    return report.exitCode;
  } finally {
    await ctx.close();
  }
}

/** Entry point of bin/advocacy.js. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
}

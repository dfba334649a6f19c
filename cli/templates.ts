import type { Command } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadTemplateFile, TemplateRegistry, type TemplateSummary } from '../infra/templates.js';
import { slug } from '../shared/ids.js';
import { TemplateError, type Template } from '../shared/template/index.js';
import type { CliContext } from './command-context.js';
import { parseFlags } from './flags.js';
import { clip, CliError, fields, table, wrap, type Colors } from './output.js';

/** `advocacy templates list|show|validate`: the process templates (built-in and TEMPLATES_DIR). */

export interface TemplateListItem extends TemplateSummary {
  milestones: number;
}

export function templatesTable(c: Colors, list: TemplateListItem[]): string {
  return table(
    c,
    ['TEMPLATE', 'VERSION', 'PROCESS', 'MILESTONES', 'TITLE'],
    list.map((t) => [
      c.bold(t.id),
      t.versions.length > 1 ? `${t.version} ${c.dim(`(${t.versions.join(', ')})`)}` : String(t.version),
      t.process,
      t.milestones,
      t.title,
    ]),
    { right: [3] },
  );
}

type Milestone = Template['milestones'][number];
type Anchor = NonNullable<Milestone['deadline']>['after'];

const anchorText = (a: Anchor): string => ('start' in a ? 'start' : 'milestone' in a ? a.milestone : `input ${a.input}`);

/** `P1Y after entry-into-force (+ art24PartIVPostponement), not before 2006-06-22 — OPCAT Art. 17` */
export function ruleText(m: Milestone): string {
  const parts: string[] = [];
  if (m.deadline) {
    const d = m.deadline;
    parts.push(
      `due ${d.duration} after ${anchorText(d.after)}` +
        (d.postponedBy.length ? ` (+ ${d.postponedBy.join(' + ')})` : '') +
        (d.notBefore ? `, not before ${d.notBefore}` : '') +
        (d.maxExtension ? `, extendable by ${d.maxExtension}` : ''),
    );
  }
  if (m.automatic)
    parts.push(
      `automatic ${m.automatic.duration} after ${anchorText(m.automatic.after)}${m.automatic.notBefore ? `, not before ${m.automatic.notBefore}` : ''}`,
    );
  if (m.when) parts.push(`only when ${m.when.input} in ${m.when.in.join('|')}`);
  if (m.requires.length) parts.push(`requires ${m.requires.map((r) => `${r.input} in ${r.in.join('|')}`).join(', ')}`);
  return parts.join('; ');
}

export function renderTemplate(c: Colors, t: Template): string {
  const out = [
    `${c.bold(t.id)} v${t.version}  ${t.title} ${c.dim(`(${t.process})`)}\n`,
    t.description ? `${wrap(t.description.trim(), 100)}\n` : '',
  ];
  const inputs = Object.entries(t.inputs);
  if (inputs.length) {
    out.push(`\n${c.bold('Inputs')} ${c.dim('(advocacy campaign start --input name=value)')}\n`);
    out.push(
      table(
        c,
        ['INPUT', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'],
        inputs.map(([name, d]) => [
          name,
          d.type === 'enum' ? `enum: ${(d.values ?? []).join('|')}` : d.type,
          d.required && d.default === undefined ? c.yellow('yes') : 'no',
          d.default === undefined ? '' : String(d.default),
          clip(d.description, 80),
        ]),
      ),
    );
  }
  out.push(`\n${c.bold('Milestones')}\n`);
  t.milestones.forEach((m, i) => {
    const tags = [m.stage, m.role, m.optional ? 'optional' : undefined, m.automatic ? 'automatic' : undefined].filter(Boolean).join(' · ');
    out.push(`${String(i + 1).padStart(3)}. ${c.bold(m.id)}  ${m.title}  ${c.dim(`[${tags}]`)}\n`);
    const evidence = m.evidence.map(
      (e) =>
        `${e.name}${e.required ? '*' : ''}${e.type !== 'text' ? c.dim(` (${e.type === 'enum' ? (e.values ?? []).join('|') : e.type})`) : ''}`,
    );
    const lines: [string, string][] = [
      ['after', m.dependsOn.join(', ')],
      ['or instead', m.alternativeTo.join(', ')],
      ['rule', ruleText(m)],
      ['evidence', evidence.join(', ')],
      ['legal basis', m.legalBasis ?? m.deadline?.legalBasis ?? ''],
      ['follow-on', m.followOn.map((f) => f.template).join(', ')],
    ];
    for (const [label, value] of lines) if (value) out.push(`     ${c.dim(label.padEnd(12))} ${value}\n`);
  });
  out.push(c.dim('evidence marked * is required when completing the milestone\n'));
  return out.join('');
}

/** The template in `file`, checked on its own: schema and references within it. */
async function templateFile(file: string): Promise<Template> {
  try {
    return await loadTemplateFile(resolve(file));
  } catch (err) {
    if (err instanceof TemplateError)
      throw new CliError(
        'invalid',
        `${file} is not a valid template: ${err.problems.join('; ')}`,
        err.problems,
        'fix the fields named above and validate again',
      );
    throw err;
  }
}

/**
 * Follow-ons name other templates: check them against what the engine loads, this file replacing its own
 * id and version (when the file lives in TEMPLATES_DIR, that copy is the one being edited).
 */
async function checkFitsOthers(ctx: CliContext, file: string, template: Template): Promise<void> {
  let registry: TemplateRegistry;
  try {
    registry = await ctx.templates();
  } catch {
    registry = await ctx.templates({ builtinOnly: true });
    ctx.out.notice('the templates of TEMPLATES_DIR do not load; follow-ons were checked against the built-in templates only');
  }
  const others = registry
    .allTemplates()
    .filter((t) => !(t.id === template.id && t.version === template.version))
    .map((t) => ({ template: t, source: `${t.id} v${t.version}` }));
  try {
    new TemplateRegistry([...others, { template, source: file }]);
  } catch (err) {
    if (err instanceof TemplateError) {
      const own = err.problems.filter((p) => p.startsWith(`${file}:`));
      const problems = own.length ? own : err.problems;
      throw new CliError(
        'invalid',
        `${file} does not fit the other templates: ${problems.join('; ')}`,
        problems,
        'fix the follow-ons named above and validate again',
      );
    }
    throw err;
  }
}

const showArgs = z.object({ template: slug, version: z.coerce.number().int().positive().optional() });

export function registerTemplates(program: Command, ctx: CliContext): void {
  const group = program.command('templates').description('process templates: the built-in ones and those of TEMPLATES_DIR');

  group
    .command('list')
    .description('every template, newest version, with its process kind and number of milestones')
    .action(async () => {
      const registry = await ctx.templates();
      const list: TemplateListItem[] = registry
        .listTemplates()
        .map((t) => ({ ...t, milestones: registry.getTemplate(t.id, t.version).milestones.length }));
      ctx.out.result(list, (c) => templatesTable(c, list));
    });

  group
    .command('show <template> [version]')
    .description("a template's inputs and milestones: dependencies, deadlines, evidence, legal basis")
    .action(async (template: string, version: string | undefined) => {
      const args = parseFlags(showArgs, { template, version }, ['template', 'version']);
      const registry = await ctx.templates();
      const found = registry.findTemplate(args.template, args.version);
      if (!found)
        throw new CliError(
          'not-found',
          `no template ${args.template}${args.version ? ` version ${args.version}` : ''}`,
          [],
          `the templates are: ${registry
            .listTemplates()
            .map((t) => `${t.id} (v${t.versions.join(', v')})`)
            .join(', ')}`,
        );
      ctx.out.result(found, (c) => renderTemplate(c, found));
    });

  group
    .command('validate <file>')
    .description('check a template file: its schema, references, and follow-ons against the loaded templates')
    .action(async (file: string) => {
      const template = await templateFile(file);
      await checkFitsOthers(ctx, file, template);
      const result = {
        valid: true,
        file,
        id: template.id,
        version: template.version,
        title: template.title,
        milestones: template.milestones.length,
      };
      ctx.out.result(
        result,
        (c) =>
          `${c.green('✔')} ${file} is a valid template\n` +
          fields(c, [
            ['template', `${template.id} v${template.version}`],
            ['title', template.title],
            ['milestones', String(template.milestones.length)],
          ]),
      );
    });
}

import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTemplate, TemplateError, type Template } from '../shared/template/index.js';
import { parseStrictYaml } from './yaml.js';

/**
 * Process templates as files: the built-in ones under `templates/` and any in extra directories (for
 * example the one named by TEMPLATES_DIR). Each file is YAML, validated by the template schema; a broken
 * file fails the load with its path and the field path of every problem, never silently.
 */

/** The repository's `templates/` directory, resolved from this module (works from any working directory). */
export const builtinTemplatesDir: string = fileURLToPath(new URL('../templates/', import.meta.url));

const templateExtensions = new Set(['.yaml', '.yml']);

/** Parses YAML text into a validated template; `source` (usually the file path) names it in errors. */
export function parseTemplateYaml(text: string, source: string): Template {
  return parseTemplate(
    parseStrictYaml(text, (problems) => new TemplateError(source, problems)),
    source,
  );
}

/** Loads and validates one template file, as `advocacy templates validate <file>` does. */
export async function loadTemplateFile(path: string): Promise<Template> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TemplateError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseTemplateYaml(text, path);
}

/** The `.yaml`/`.yml` files of a directory, in name order (stable load order, stable error messages). */
async function templateFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new TemplateError(dir, [`cannot read the template directory: ${(err as Error).message}`]);
  }
  return names
    .filter((n) => templateExtensions.has(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(dir, n));
}

export interface TemplateSummary {
  id: string;
  version: number;
  title: string;
  process: Template['process'];
  /** Every version the registry holds for this id, oldest first. */
  versions: number[];
  source: string;
}

type InputType = Template['inputs'][string]['type'];
type Mapping = Template['milestones'][number]['followOn'][number]['inputs'][string];

/** The input type a follow-on mapping produces, when it can be known from the source template. */
function mappedType(source: Template, mapping: Mapping): InputType | undefined {
  if ('milestoneDate' in mapping) return 'date';
  if ('input' in mapping) return source.inputs[mapping.input]?.type;
  if ('evidence' in mapping) {
    const field = source.milestones
      .find((m) => m.id === mapping.evidence.milestone)
      ?.evidence.find((e) => e.name === mapping.evidence.field);
    if (!field) return undefined;
    return field.type === 'date' || field.type === 'duration' || field.type === 'enum' ? field.type : 'string';
  }
  return typeof mapping.value === 'boolean' ? 'boolean' : undefined;
}

function compatible(given: InputType, wanted: InputType): boolean {
  if (given === wanted) return true;
  // Enum values are strings; a string may feed an enum input (checked against its values at start).
  return (given === 'enum' && wanted === 'string') || (given === 'string' && wanted === 'enum');
}

export class TemplateNotFoundError extends Error {
  constructor(
    readonly id: string,
    readonly version: number | undefined,
    known: string[],
  ) {
    super(
      version === undefined
        ? `unknown template "${id}" (known: ${known.join(', ') || 'none'})`
        : `template "${id}" has no version ${version}`,
    );
    this.name = 'TemplateNotFoundError';
  }
}

/** Templates indexed by id and version. Immutable once built. */
export class TemplateRegistry {
  private readonly byId = new Map<string, Map<number, { template: Template; source: string }>>();

  constructor(entries: readonly { template: Template; source: string }[]) {
    const problems: string[] = [];
    for (const entry of entries) {
      const { id, version } = entry.template;
      const versions = this.byId.get(id) ?? new Map<number, { template: Template; source: string }>();
      const existing = versions.get(version);
      if (existing) {
        problems.push(`${entry.source}: template "${id}" version ${version} is already defined in ${existing.source}`);
        continue;
      }
      versions.set(version, { template: entry.template, source: entry.source });
      this.byId.set(id, versions);
    }
    problems.push(...this.checkFollowOns());
    if (problems.length > 0) throw new TemplateError('template set', problems);
  }

  /**
   * Cross-template rules one file cannot check: each follow-on names a known template (and version), maps
   * only inputs that template declares, with a compatible type, and covers all its required inputs.
   */
  private checkFollowOns(): string[] {
    const problems: string[] = [];
    for (const versions of this.byId.values()) {
      for (const { template, source } of versions.values()) {
        template.milestones.forEach((m, i) => {
          m.followOn.forEach((f, j) => {
            const at = `${source}: milestones.${i}.followOn.${j}`;
            const target = this.findTemplate(f.template, f.version);
            if (!target) {
              problems.push(`${at}.template: unknown template "${f.template}"${f.version ? ` version ${f.version}` : ''}`);
              return;
            }
            for (const [name, mapping] of Object.entries(f.inputs)) {
              const def = target.inputs[name];
              if (!def) {
                problems.push(`${at}.inputs.${name}: template "${target.id}" has no input "${name}"`);
                continue;
              }
              const given = mappedType(template, mapping);
              if (given && !compatible(given, def.type))
                problems.push(`${at}.inputs.${name}: a ${given} is mapped to "${target.id}" input of type ${def.type}`);
            }
            for (const [name, def] of Object.entries(target.inputs))
              if (def.required && def.default === undefined && !(name in f.inputs))
                problems.push(`${at}.inputs: required input "${name}" of "${target.id}" is not mapped`);
          });
          m.informs.forEach((f, j) => {
            const at = `${source}: milestones.${i}.informs.${j}`;
            const target = this.findTemplate(f.template);
            if (!target) return problems.push(`${at}.template: unknown template "${f.template}"`);
            for (const name of Object.keys(f.inputs))
              if (!target.inputs[name]) problems.push(`${at}.inputs.${name}: template "${target.id}" has no input "${name}"`);
          });
        });
      }
    }
    return problems;
  }

  /** The template with this id: the given version, or the newest when no version is given. */
  getTemplate(id: string, version?: number): Template {
    const found = this.findTemplate(id, version);
    if (!found) throw new TemplateNotFoundError(id, version, [...this.byId.keys()].sort());
    return found;
  }

  findTemplate(id: string, version?: number): Template | undefined {
    const versions = this.byId.get(id);
    if (!versions) return undefined;
    if (version !== undefined) return versions.get(version)?.template;
    const newest = Math.max(...versions.keys());
    return versions.get(newest)?.template;
  }

  /** One line per template id (its newest version), sorted by id. */
  listTemplates(): TemplateSummary[] {
    return [...this.byId.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, versions]) => {
        const numbers = [...versions.keys()].sort((a, b) => a - b);
        const newest = versions.get(numbers[numbers.length - 1] ?? 0);
        if (!newest) throw new Error(`template ${id} has no versions`);
        return {
          id,
          version: newest.template.version,
          title: newest.template.title,
          process: newest.template.process,
          versions: numbers,
          source: newest.source,
        };
      });
  }

  /** Every template of every version, sorted by id then version. */
  allTemplates(): Template[] {
    return [...this.byId.keys()]
      .sort()
      .flatMap((id) => [...(this.byId.get(id)?.values() ?? [])].map((e) => e.template).sort((a, b) => a.version - b.version));
  }
}

export interface LoadTemplatesOptions {
  /** Directories of extra templates (e.g. TEMPLATES_DIR), loaded after the built-in ones. */
  extraDirs?: readonly string[];
  /** Load the built-in templates (default true). */
  builtin?: boolean;
}

/**
 * Loads the built-in templates and those of the extra directories. Every file is checked; all problems of
 * all files are reported together in one TemplateError whose lines start with the file path.
 */
export async function loadTemplates(options: LoadTemplatesOptions = {}): Promise<TemplateRegistry> {
  const dirs = [...(options.builtin === false ? [] : [builtinTemplatesDir]), ...(options.extraDirs ?? []).map((d) => resolve(d))];
  const entries: { template: Template; source: string }[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await templateFiles(dir);
    } catch (err) {
      if (err instanceof TemplateError) problems.push(...err.problems.map((p) => `${dir}: ${p}`));
      else throw err;
      continue;
    }
    for (const file of files) {
      try {
        entries.push({ template: await loadTemplateFile(file), source: file });
      } catch (err) {
        if (err instanceof TemplateError) problems.push(...err.problems.map((p) => `${file}: ${p}`));
        else throw err;
      }
    }
  }
  if (problems.length > 0) throw new TemplateError(dirs.join(', '), problems);
  return new TemplateRegistry(entries);
}

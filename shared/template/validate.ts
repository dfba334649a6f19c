import type { z } from 'zod';
import { isoDate, isoDuration } from '../dates.js';
import { formatIssues, problemList } from '../validation.js';
import { templateObjectSchema, type Anchor, type Condition, type InputDefinition, type TemplateInput } from './schema.js';

type TemplateObject = z.infer<typeof templateObjectSchema>;

/** Finds one dependency cycle and returns it as a path (a -> b -> a), or undefined. */
export function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Whether a value fits an input definition (a default here; the state machine checks values it is given). */
function isInputValue(def: InputDefinition, value: unknown): boolean {
  switch (def.type) {
    case 'date':
      return isoDate.safeParse(value).success;
    case 'duration':
      return isoDuration.safeParse(value).success;
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && (def.values ?? []).includes(value);
    case 'string':
      return typeof value === 'string';
  }
}

/** Cross-reference rules a single-field schema cannot express; each issue names the offending path. */
function checkReferences(t: TemplateObject, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  t.milestones.forEach((m, i) => {
    if (ids.has(m.id)) ctx.addIssue({ code: 'custom', path: ['milestones', i, 'id'], message: `duplicate milestone id "${m.id}"` });
    ids.add(m.id);
  });
  const byId = new Map(t.milestones.map((m) => [m.id, m]));

  const checkInput = (path: (string | number)[], name: string, types: string[]) => {
    const def = t.inputs[name];
    if (!def) ctx.addIssue({ code: 'custom', path, message: `unknown input "${name}" (declare it under inputs)` });
    else if (!types.includes(def.type))
      ctx.addIssue({ code: 'custom', path, message: `input "${name}" must be of type ${types.join(' or ')}, not ${def.type}` });
  };
  /** A condition on a value the input can never take would silently never (or always) hold. */
  const checkConditionValues = (path: (string | number)[], condition: Condition) => {
    const def = t.inputs[condition.input];
    if (!def || !['enum', 'string', 'boolean'].includes(def.type)) return; // reported by checkInput
    const allowed = def.type === 'enum' ? (def.values ?? []).join(', ') : def.type === 'boolean' ? 'true, false' : 'a string';
    condition.in.forEach((v, k) => {
      const ok =
        def.type === 'boolean'
          ? typeof v === 'boolean'
          : typeof v === 'string' && (def.type === 'string' || (def.values ?? []).includes(v));
      if (!ok)
        ctx.addIssue({
          code: 'custom',
          path: [...path, k],
          message: `${JSON.stringify(v)} is not a value of input "${condition.input}" (${allowed})`,
        });
    });
  };
  const checkAnchor = (path: (string | number)[], anchor: Anchor, owner: string, mustDepend: boolean) => {
    if ('milestone' in anchor) {
      if (!byId.has(anchor.milestone))
        ctx.addIssue({ code: 'custom', path: [...path, 'milestone'], message: `unknown milestone "${anchor.milestone}"` });
      else if (mustDepend && !byId.get(owner)?.dependsOn.includes(anchor.milestone))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'milestone'],
          message: `"${owner}" is counted from "${anchor.milestone}", so it must list it in dependsOn`,
        });
    }
    if ('input' in anchor) checkInput([...path, 'input'], anchor.input, ['date']);
  };

  t.milestones.forEach((m, i) => {
    const at = (...rest: (string | number)[]) => ['milestones', i, ...rest];
    m.dependsOn.forEach((d, j) => {
      if (!byId.has(d))
        ctx.addIssue({ code: 'custom', path: at('dependsOn', j), message: `unknown milestone "${d}" in dependsOn of "${m.id}"` });
      if (d === m.id) ctx.addIssue({ code: 'custom', path: at('dependsOn', j), message: `"${m.id}" depends on itself` });
    });
    m.alternativeTo.forEach((a, j) => {
      if (a === m.id)
        ctx.addIssue({ code: 'custom', path: at('alternativeTo', j), message: `"${m.id}" cannot be an alternative to itself` });
      else if (!byId.has(a))
        ctx.addIssue({ code: 'custom', path: at('alternativeTo', j), message: `unknown milestone "${a}" in alternativeTo of "${m.id}"` });
      else if (!byId.get(a)?.alternativeTo.includes(m.id))
        ctx.addIssue({ code: 'custom', path: at('alternativeTo', j), message: `"${a}" must also list "${m.id}" in alternativeTo` });
    });
    if (m.deadline) {
      checkAnchor(at('deadline', 'after'), m.deadline.after, m.id, false);
      m.deadline.postponedBy.forEach((p, j) => checkInput(at('deadline', 'postponedBy', j), p, ['duration']));
    }
    if (m.reminders.length > 0 && !m.deadline)
      ctx.addIssue({ code: 'custom', path: at('reminders'), message: `"${m.id}" has reminders but no deadline` });
    if (m.automatic) {
      checkAnchor(at('automatic', 'after'), m.automatic.after, m.id, true);
      if (m.evidence.some((e) => e.required))
        ctx.addIssue({ code: 'custom', path: at('evidence'), message: `automatic milestone "${m.id}" cannot require evidence` });
    }
    if (m.when) {
      checkInput(at('when', 'input'), m.when.input, ['enum', 'string', 'boolean']);
      checkConditionValues(at('when', 'in'), m.when);
    }
    m.requires.forEach((r, j) => {
      checkInput(at('requires', j, 'input'), r.input, ['enum', 'string', 'boolean']);
      checkConditionValues(at('requires', j, 'in'), r);
    });
    m.evidence.forEach((e, j) => {
      if (e.type === 'enum' && !e.values?.length)
        ctx.addIssue({ code: 'custom', path: at('evidence', j, 'values'), message: `enum evidence field "${e.name}" needs values` });
    });
    const mappings = [
      ...m.followOn.map((f, j) => ({ inputs: f.inputs, at: ['followOn', j] as (string | number)[] })),
      ...m.informs.map((f, j) => ({ inputs: f.inputs, at: ['informs', j] as (string | number)[] })),
    ];
    mappings.forEach((f) => {
      for (const [name, mapping] of Object.entries(f.inputs)) {
        const path = at(...f.at, 'inputs', name);
        if ('input' in mapping && !t.inputs[mapping.input])
          ctx.addIssue({ code: 'custom', path, message: `unknown input "${mapping.input}"` });
        if ('milestoneDate' in mapping && !byId.has(mapping.milestoneDate))
          ctx.addIssue({ code: 'custom', path, message: `unknown milestone "${mapping.milestoneDate}"` });
        if ('evidence' in mapping) {
          const source = byId.get(mapping.evidence.milestone);
          if (!source) ctx.addIssue({ code: 'custom', path, message: `unknown milestone "${mapping.evidence.milestone}"` });
          else if (!source.evidence.some((e) => e.name === mapping.evidence.field))
            ctx.addIssue({ code: 'custom', path, message: `milestone "${source.id}" has no evidence field "${mapping.evidence.field}"` });
        }
      }
    });
  });
  for (const [name, def] of Object.entries(t.inputs)) {
    if (def.type === 'enum' && !def.values?.length)
      ctx.addIssue({ code: 'custom', path: ['inputs', name, 'values'], message: `enum input "${name}" needs values` });
    else if (def.default !== undefined && !isInputValue(def, def.default)) {
      const expected = def.type === 'enum' ? `one of ${(def.values ?? []).join(', ')}` : `a ${def.type}`;
      ctx.addIssue({ code: 'custom', path: ['inputs', name, 'default'], message: `input "${name}" must be ${expected}` });
    }
  }

  const cycle = findCycle(new Map(t.milestones.map((m) => [m.id, m.dependsOn.filter((d) => byId.has(d))])));
  if (cycle) ctx.addIssue({ code: 'custom', path: ['milestones'], message: `dependency cycle: ${cycle.join(' -> ')}` });
}

export const templateSchema = templateObjectSchema.superRefine(checkReferences);
export type Template = z.infer<typeof templateSchema>;
export type { TemplateInput };

export class TemplateError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problemList(`Template ${source} is invalid`, problems));
    this.name = 'TemplateError';
  }
}

export function parseTemplate(value: unknown, source = 'template'): Template {
  const result = templateSchema.safeParse(value);
  if (!result.success) throw new TemplateError(source, formatIssues(result.error));
  return result.data;
}

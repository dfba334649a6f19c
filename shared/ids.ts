import { z } from 'zod';

/** Lower-case slugs: safe as NATS subject tokens, workflow-id parts and YAML keys. */
export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lower-case letters, digits and single dashes (e.g. "deposit")');

/**
 * Names every plain object already has: as input or evidence names they would be "found" on the
 * prototype of any record (a `set-input toString` taken for a declared input).
 */
const objectMemberNames = new Set([
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

/** Names of campaign inputs and evidence fields: camelCase identifiers. */
export const fieldName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'use a camelCase identifier (e.g. "lawNumber")')
  .refine((name) => !objectMemberNames.has(name), 'a name every JavaScript object already has; choose another (e.g. "lawNumber")');

/**
 * A person's or team's id (`sari`, `legal-team`, `t.nguyen`): what owners and CLI users are recorded as.
 * Never a name or other free text, because owners travel in published events and notifications, which
 * must not carry what could identify someone outside the engine's access control.
 */
export const personId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'an id, not a name: 1-64 letters, digits, ".", "_" or "-" (e.g. "sari" or "legal-team"); it is published in events',
  );
export const isPersonId = (value: string): boolean => personId.safeParse(value).success;

export const roleSchema = z.enum(['viewer', 'staff', 'programme-lead', 'system']);
export type Role = z.infer<typeof roleSchema>;

/** Who did something. `system` is the engine itself (timers, automatic milestones) or a trusted integration. */
export const actorSchema = z.object({
  id: z.string().min(1).max(128),
  role: roleSchema,
});
export type Actor = z.infer<typeof actorSchema>;

const rank: Record<Role, number> = { viewer: 0, staff: 1, 'programme-lead': 2, system: 3 };

/** Programme leads may do what staff may do; the system may do anything. */
export function roleAllows(actual: Role, required: Role): boolean {
  return rank[actual] >= rank[required];
}

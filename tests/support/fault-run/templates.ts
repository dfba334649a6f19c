import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseTemplate, type Template, type TemplateInput } from '../../../shared/template/validate.js';

/**
 * The processes of the fault run: deadlines, reminders and automatic milestones within the first months,
 * so that days skipped on the time-skipping server make them fall due, and a last milestone that the run
 * never completes (`finalMilestone`), so that every campaign stays open and keeps taking commands.
 */
const ratification: TemplateInput = {
  id: 'fault-ratification',
  version: 1,
  title: 'Ratification under faults',
  process: 'ratification',
  milestones: [
    {
      id: 'dialogue',
      title: 'Dialogue with ministries',
      deadline: { after: { start: true }, duration: 'P30D', maxExtension: 'P30D', legalBasis: 'fault-run rule 1' },
      reminders: ['P14D', 'P3D'],
    },
    { id: 'workshop', title: 'Regional workshop', dependsOn: ['dialogue'], optional: true },
    {
      id: 'decision',
      title: 'Government decision',
      dependsOn: ['dialogue'],
      role: 'programme-lead',
      deadline: { after: { milestone: 'dialogue' }, duration: 'P45D', maxExtension: 'P1M', legalBasis: 'fault-run rule 2' },
      reminders: ['P7D'],
    },
    { id: 'deposit', title: 'Deposit of the instrument', dependsOn: ['decision'] },
    {
      id: 'entry-into-force',
      title: 'Entry into force',
      dependsOn: ['deposit'],
      automatic: { after: { milestone: 'deposit' }, duration: 'P20D', legalBasis: 'fault-run rule 3' },
    },
    {
      id: 'report',
      title: 'Initial report',
      dependsOn: ['entry-into-force'],
      deadline: { after: { milestone: 'entry-into-force' }, duration: 'P30D', legalBasis: 'fault-run rule 4' },
      reminders: ['P10D'],
    },
    { id: 'review', title: 'Review', dependsOn: ['report'], deadline: { after: { start: true }, duration: 'P5Y' } },
  ],
};

const visits: TemplateInput = {
  id: 'fault-visits',
  version: 1,
  title: 'Visits under faults',
  milestones: [
    {
      id: 'invitation',
      title: 'Standing invitation',
      automatic: { after: { start: true }, duration: 'P12D', legalBasis: 'fault-run rule 5' },
    },
    {
      id: 'visit-capital',
      title: 'Visit to the capital',
      dependsOn: ['invitation'],
      alternativeTo: ['visit-provinces'],
      deadline: { after: { start: true }, duration: 'P50D', maxExtension: 'P21D', legalBasis: 'fault-run rule 6' },
      reminders: ['P21D', 'P7D'],
    },
    {
      id: 'visit-provinces',
      title: 'Visit to the provinces',
      dependsOn: ['invitation'],
      alternativeTo: ['visit-capital'],
      deadline: { after: { start: true }, duration: 'P65D', legalBasis: 'fault-run rule 6' },
      reminders: ['P14D'],
    },
    {
      id: 'findings',
      title: 'Findings shared',
      dependsOn: ['visit-capital', 'visit-provinces'],
      deadline: { after: { start: true }, duration: 'P80D', legalBasis: 'fault-run rule 7' },
      reminders: ['P5D'],
    },
    { id: 'press', title: 'Press release', dependsOn: ['findings'], optional: true },
    { id: 'closing', title: 'Closing meeting', dependsOn: ['findings'], deadline: { after: { start: true }, duration: 'P5Y' } },
  ],
};

export const faultTemplates: Template[] = [ratification, visits].map((t) => parseTemplate(t, t.id));

/** The milestone of each template that the run never completes. */
export const finalMilestone: Record<string, string> = { 'fault-ratification': 'review', 'fault-visits': 'closing' };

/** Writes the templates as YAML files into `dir` (TEMPLATES_DIR of the CLI and the worker). */
export function writeTemplateFiles(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const t of [ratification, visits]) writeFileSync(join(dir, `${t.id}.yaml`), stringify(t));
  return dir;
}

/**
 * Hand-written templates, built as objects and parsed with `parseTemplate` so every default and
 * reference check applies, and a start request for any template.
 */
import { startCampaignSchema, type StartCampaign, type StartCampaignInput } from '../../../shared/campaign/index.js';
import { parseTemplate, type Template, type TemplateInput } from '../../../shared/template/index.js';
import { lead } from './time-and-actors.js';

export const tpl = (input: TemplateInput): Template => parseTemplate(input, input.id);

/**
 * An OPCAT-like ratification: dialogue -> decision -> signature | accession -> approval -> deposit ->
 * entry into force (automatic, deposit + 30 days) -> NPM designation (deadline one year after entry into
 * force, postponable by an Art. 24 declaration, reminders, extensions up to two years) and an optional
 * Art. 24 declaration, then the SPT notified. Entry into force starts an npm-designation follow-on.
 */
export const opcatLike = (): Template =>
  tpl({
    id: 'opcat-like',
    version: 3,
    title: 'OPCAT ratification (test)',
    process: 'ratification',
    inputs: {
      uncatStatus: { type: 'enum', values: ['none', 'signed', 'ratified', 'acceded'], required: true },
      postponement: { type: 'duration' },
    },
    milestones: [
      { id: 'dialogue', title: 'Regional dialogue', stage: 'awareness' },
      {
        id: 'decision',
        title: 'Government decision',
        stage: 'decision',
        role: 'programme-lead',
        dependsOn: ['dialogue'],
        deadline: { after: { start: true }, duration: 'P2Y' },
        evidence: [{ name: 'decisionReference', label: 'Cabinet decision', type: 'text' }],
      },
      {
        id: 'signature',
        title: 'Signature',
        stage: 'signature',
        dependsOn: ['decision'],
        alternativeTo: ['accession'],
        requires: [{ input: 'uncatStatus', in: ['signed', 'ratified', 'acceded'], reason: 'OPCAT Art. 27(1): sign UNCAT first' }],
      },
      { id: 'accession', title: 'Decision to accede', stage: 'signature', dependsOn: ['decision'], alternativeTo: ['signature'] },
      { id: 'approval', title: 'Parliamentary approval', stage: 'approval', dependsOn: ['signature', 'accession'] },
      {
        id: 'deposit',
        title: 'Deposit',
        stage: 'deposit',
        role: 'programme-lead',
        dependsOn: ['approval'],
        requires: [{ input: 'uncatStatus', in: ['ratified', 'acceded'], reason: 'OPCAT Art. 27(2): ratify UNCAT first' }],
        evidence: [
          { name: 'instrumentKind', label: 'Kind of instrument', type: 'enum', values: ['ratification', 'accession'] },
          { name: 'documentUrl', label: 'UN Treaty Collection page', type: 'url', required: false },
          { name: 'depositedOn', label: 'Depositary date', type: 'date', required: false },
        ],
        followOn: [],
      },
      {
        id: 'entry-into-force',
        title: 'Entry into force',
        stage: 'in-force',
        dependsOn: ['deposit'],
        automatic: { after: { milestone: 'deposit' }, duration: 'P30D', notBefore: '2006-06-22', legalBasis: 'OPCAT Art. 28(2)' },
        followOn: [
          {
            template: 'npm-designation',
            version: 2,
            inputs: {
              entryIntoForce: { milestoneDate: 'entry-into-force' },
              instrument: { evidence: { milestone: 'deposit', field: 'instrumentKind' } },
              uncat: { input: 'uncatStatus' },
              source: { value: 'opcat-like' },
            },
          },
        ],
      },
      { id: 'declaration', title: 'Art. 24 declaration', stage: 'in-force', optional: true, dependsOn: ['deposit'] },
      {
        id: 'npm',
        title: 'NPM designated',
        stage: 'npm',
        dependsOn: ['entry-into-force'],
        deadline: {
          after: { milestone: 'entry-into-force' },
          duration: 'P1Y',
          postponedBy: ['postponement'],
          legalBasis: 'OPCAT Art. 17',
          maxExtension: 'P2Y',
        },
        reminders: ['P3M', 'P1M', 'P7D'],
      },
      { id: 'spt-notified', title: 'SPT notified of the NPM', stage: 'npm', dependsOn: ['npm'] },
    ],
  });

/** Three steps in a row; the second has a deadline 60 days after start with reminders and no extensions. */
export const linear = (): Template =>
  tpl({
    id: 'linear',
    version: 1,
    title: 'Three steps',
    milestones: [
      { id: 'first', title: 'First', stage: 'one' },
      {
        id: 'second',
        title: 'Second',
        stage: 'two',
        dependsOn: ['first'],
        deadline: { after: { start: true }, duration: 'P60D' },
        reminders: ['P30D', 'P7D', 'P1D'],
      },
      { id: 'third', title: 'Third', stage: 'three', dependsOn: ['second'], optional: true },
    ],
  });

/** Inputs that switch milestones on and off (`when`) and move deadlines (date anchor, postponement). */
export const conditional = (): Template =>
  tpl({
    id: 'conditional',
    version: 1,
    title: 'NPM model choice',
    inputs: {
      model: { type: 'enum', values: ['nhri', 'new-body'], default: 'nhri' },
      since: { type: 'date' },
      postponement: { type: 'duration' },
    },
    milestones: [
      { id: 'consultation', title: 'Consultation' },
      { id: 'nhri-mandate', title: 'NHRI mandate amended', dependsOn: ['consultation'], when: { input: 'model', in: ['nhri'] } },
      { id: 'new-law', title: 'New body created by law', dependsOn: ['consultation'], when: { input: 'model', in: ['new-body'] } },
      {
        id: 'designation',
        title: 'Designation',
        dependsOn: ['nhri-mandate', 'new-law'],
        deadline: { after: { input: 'since' }, duration: 'P1Y', postponedBy: ['postponement'] },
      },
      { id: 'first-visit', title: 'First visit to a place of detention', dependsOn: ['designation'] },
    ],
  });

export function startRequest(template: Template, overrides: Partial<StartCampaignInput> = {}): StartCampaign {
  return startCampaignSchema.parse({
    campaignId: `campaign-${template.id}`,
    template,
    country: 'ID',
    region: 'asia-pacific',
    startDate: '2024-01-01',
    actor: lead,
    ...overrides,
  });
}

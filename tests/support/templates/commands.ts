/** Command builders (fresh request id unless one is given). */
import type { CampaignCommand } from '../../../shared/campaign/index.js';
import type { IsoDate } from '../../../shared/dates.js';
import type { Actor } from '../../../shared/ids.js';
import { lead, nextRequestId, staff } from './time-and-actors.js';

type Extra = { requestId?: string; actor?: Actor };
const base = (extra: Extra, actor: Actor) => ({ requestId: extra.requestId ?? nextRequestId(), actor: extra.actor ?? actor });

export const cmd = {
  complete: (
    milestone: string,
    date: IsoDate,
    extra: Extra & { evidence?: Record<string, string>; note?: string } = {},
  ): CampaignCommand => ({
    ...base(extra, lead),
    type: 'complete',
    milestone,
    date,
    evidence: extra.evidence ?? {},
    ...(extra.note ? { note: extra.note } : {}),
  }),
  skip: (milestone: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, staff),
    type: 'skip',
    milestone,
    reason: 'not needed here',
  }),
  reopen: (milestone: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, staff),
    type: 'reopen',
    milestone,
    reason: 'recorded by mistake',
  }),
  assign: (milestone: string, owner: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, staff),
    type: 'assign',
    milestone,
    owner,
  }),
  note: (text: string, milestone?: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, staff),
    type: 'note',
    text,
    ...(milestone ? { milestone } : {}),
  }),
  extend: (milestone: string, by: string, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, lead),
    type: 'extend',
    milestone,
    by,
    reason: 'the Committee granted more time',
    legalBasis: 'OPCAT Art. 24(2)',
  }),
  pause: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'pause', reason: 'elections' }),
  resume: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'resume' }),
  cancel: (extra: Extra = {}): CampaignCommand => ({ ...base(extra, lead), type: 'cancel', reason: 'programme closed' }),
  setInput: (name: string, value: string | number | boolean, extra: Extra = {}): CampaignCommand => ({
    ...base(extra, lead),
    type: 'set-input',
    name,
    value,
    reason: 'new information',
  }),
};

import { systemActor } from './transition.js';
import type { CampaignProblem, CampaignState } from './state.js';

/**
 * Problems the workflow records when something it does for a campaign fails for good (a follow-on
 * campaign whose template the worker does not know, other campaigns it cannot inform). Pure: the state
 * keeps them, so the view shows them and continue-as-new carries them; the history gets one entry when a
 * problem first appears and one when it is solved, not one per retry.
 */

export type ProblemSubject = Pick<CampaignProblem, 'kind' | 'milestone' | 'templateId' | 'campaignId'>;

const same = (a: ProblemSubject, b: ProblemSubject) =>
  a.kind === b.kind && a.milestone === b.milestone && a.templateId === b.templateId && a.campaignId === b.campaignId;

function advice(subject: ProblemSubject, parent: string): string {
  const retry = 'the engine tries again on the next change of this campaign and every hour';
  if (subject.kind === 'follow-on')
    return (
      `make template ${subject.templateId} known to the engine worker (templates/ or TEMPLATES_DIR) and restart the worker; ${retry}. ` +
      `If this campaign has ended meanwhile, start the follow-on yourself: \`advocacy campaign start --template ${subject.templateId} --id ${subject.campaignId ?? `${parent}~${subject.templateId}`}\``
    );
  return `check that the engine worker reaches Temporal and that the ${subject.templateId} campaigns of this state run; ${retry}`;
}

/** Records that `subject` failed for good this time (a new problem, or one more failed round of an old one). */
export function recordProblem(state: CampaignState, subject: ProblemSubject, message: string, now: number): CampaignState {
  const problems = state.problems ?? [];
  const known = problems.find((p) => same(p, subject));
  if (known) return { ...state, problems: problems.map((p) => (p === known ? { ...p, message, attempts: p.attempts + 1 } : p)) };
  const at = new Date(now).toISOString();
  const problem: CampaignProblem = {
    kind: subject.kind,
    milestone: subject.milestone,
    templateId: subject.templateId,
    ...(subject.campaignId !== undefined ? { campaignId: subject.campaignId } : {}),
    message,
    since: at,
    attempts: 1,
    action: advice(subject, state.campaignId),
  };
  const what = subject.kind === 'follow-on' ? 'follow-on not started' : 'other campaigns not informed';
  return {
    ...state,
    problems: [...problems, problem],
    history: [
      ...state.history,
      { at, actor: systemActor, action: what, milestone: subject.milestone, detail: `${subject.templateId}: ${message}` },
    ],
  };
}

/** Clears the problem of `subject` once it is done; the state is returned as it was when there was none. */
export function solveProblem(state: CampaignState, subject: ProblemSubject, now: number): CampaignState {
  const problems = state.problems ?? [];
  if (!problems.some((p) => same(p, subject))) return state;
  const rest = problems.filter((p) => !same(p, subject));
  const { problems: _old, ...others } = state;
  const what = subject.kind === 'follow-on' ? 'follow-on started after a retry' : 'other campaigns informed after a retry';
  return {
    ...others,
    ...(rest.length ? { problems: rest } : {}),
    history: [
      ...state.history,
      { at: new Date(now).toISOString(), actor: systemActor, action: what, milestone: subject.milestone, detail: subject.templateId },
    ],
  };
}

/** Time and actors for the state-machine tests: instants as the workflow sees them, and who acts. */
import { addDuration, startOfDay, subtractDuration, type IsoDate } from '../../../shared/dates.js';
import type { Actor } from '../../../shared/ids.js';

/** An instant on a calendar day (noon UTC by default), as the workflow's `Date.now()`. */
export function on(date: IsoDate, hour = 12): number {
  return startOfDay(date) + hour * 3_600_000;
}

export function plusDays(date: IsoDate, days: number): IsoDate {
  return days >= 0 ? addDuration(date, `P${days}D`) : subtractDuration(date, `P${-days}D`);
}

export const staff: Actor = { id: 'sari', role: 'staff' };
export const lead: Actor = { id: 'lead-ana', role: 'programme-lead' };
export const viewer: Actor = { id: 'guest', role: 'viewer' };
export const system: Actor = { id: 'parliament-monitor', role: 'system' };

let requestCounter = 0;
export const nextRequestId = (): string => `req-${++requestCounter}`;

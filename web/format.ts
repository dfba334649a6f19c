import type { MilestoneView } from '../shared/campaign/view.js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const instantFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

/** "5 Mar 2025" for a calendar date (YYYY-MM-DD, a UTC day). */
export function formatDate(date: string | undefined): string {
  if (!date) return '';
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : dateFormat.format(ms);
}

export function formatInstant(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : instantFormat.format(ms);
}

export function humanize(slug: string): string {
  const s = slug.replace(/-/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const displayLabel: Record<MilestoneView['display'], string> = {
  blocked: 'Waiting',
  open: 'Open',
  done: 'Done',
  skipped: 'Skipped',
  overdue: 'Overdue',
};

/** "in 12 days", "today", "3 days overdue" for a pending milestone's days left. */
export function daysLeftText(daysLeft: number | undefined): string {
  if (daysLeft === undefined) return '';
  if (daysLeft === 0) return 'due today';
  if (daysLeft > 0) return `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  return `${-daysLeft} day${daysLeft === -1 ? '' : 's'} overdue`;
}

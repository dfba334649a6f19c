import { countryCodes } from '../countries.js';

/**
 * Who may give a campaign which id. Temporal keeps one namespace of workflow ids for every country, and an
 * id once used is never used again (the facade starts with REJECT_DUPLICATE), so an id is something a
 * caller could take from another country, or probe for ("already in use" says the id exists). The rules:
 *
 * - `~` is the engine's: a follow-on campaign is `<parent>~<template>` (shared/campaign/settle.ts), so no
 *   caller can start, and so pre-empt, a follow-on another campaign will start (a schema rule,
 *   shared/campaign/requests.ts).
 * - An id that starts with a country code and `-` (`th-...`) belongs to that country: no caller gives it
 *   to another country's campaign. Ids the engine makes (`<country>-<template>-<random>`, the API's
 *   Idempotency-Key ids, `advocacy seed`'s `<prefix><country>-<template>`) follow this already.
 * - A country-scoped caller names ids only in its own country's space (`ph-...` for a PH campaign). So
 *   every id such a caller can try is one only its own countries' campaigns can have: a conflict tells it
 *   nothing about another country. Unscoped callers (operators, every-country keys) see every campaign
 *   anyway and may use other ids (`demo-ph-...`).
 */

/** The country an id is reserved for by its `xx-` prefix, if that is an ISO 3166-1 code. */
export function campaignIdCountry(campaignId: string): string | undefined {
  const prefix = /^([A-Za-z]{2})-/.exec(campaignId)?.[1]?.toUpperCase();
  return prefix && countryCodes.has(prefix) ? prefix : undefined;
}

/** The problems (`campaignId: ...`) with a caller-given id for a campaign in `country`; none when it may have it. */
export function campaignIdProblems(campaignId: string, country: string, scopedCaller: boolean): string[] {
  const reserved = campaignIdCountry(campaignId);
  if (reserved && reserved !== country) return [`campaignId: ids starting "${reserved.toLowerCase()}-" are for campaigns in ${reserved}`];
  if (scopedCaller && reserved !== country)
    return [`campaignId: a key limited to countries names its campaigns "${country.toLowerCase()}-..." (the campaign's country)`];
  return [];
}

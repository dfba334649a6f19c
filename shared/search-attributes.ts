import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that mirror campaign state so campaigns can be listed and filtered
 * (`CampaignCountry = "ID" AND CampaignStatus = "active"`). The dev server registers them at start
 * (`--search-attribute Name=Keyword`); `searchAttributeFlags` gives those flags.
 */
export const CampaignCountry = defineSearchAttributeKey('CampaignCountry', SearchAttributeType.KEYWORD);
export const CampaignRegion = defineSearchAttributeKey('CampaignRegion', SearchAttributeType.KEYWORD);
export const CampaignTemplate = defineSearchAttributeKey('CampaignTemplate', SearchAttributeType.KEYWORD);
export const CampaignStage = defineSearchAttributeKey('CampaignStage', SearchAttributeType.KEYWORD);
export const CampaignStatus = defineSearchAttributeKey('CampaignStatus', SearchAttributeType.KEYWORD);
export const CampaignOverdue = defineSearchAttributeKey('CampaignOverdue', SearchAttributeType.BOOL);
/**
 * The earliest due date of a pending milestone (midnight UTC), so the work list finds what is due with one
 * visibility query instead of asking every campaign. A campaign with nothing due carries `NO_DUE_DATE`;
 * one without the attribute at all predates it (shared/campaign/search.ts).
 */
export const CampaignNextDue = defineSearchAttributeKey('CampaignNextDue', SearchAttributeType.DATETIME);

export const campaignSearchAttributes = [
  CampaignCountry,
  CampaignRegion,
  CampaignTemplate,
  CampaignStage,
  CampaignStatus,
  CampaignOverdue,
  CampaignNextDue,
] as const;

const cliTypeNames: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return campaignSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliTypeNames[key.type]}`]);
}

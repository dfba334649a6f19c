import type { SearchAttributePair } from '@temporalio/common';
import { CampaignCountry, CampaignOverdue, CampaignRegion, CampaignStage, CampaignStatus, CampaignTemplate } from '../search-attributes.js';
import type { CampaignView } from './view.js';

/** Search attribute values mirrored from a campaign, so campaigns can be listed and filtered. */
export function searchAttributesOf(
  view: Pick<CampaignView, 'country' | 'region' | 'templateId' | 'stage' | 'status' | 'overdue'>,
): SearchAttributePair[] {
  return [
    { key: CampaignCountry, value: view.country },
    { key: CampaignRegion, value: view.region },
    { key: CampaignTemplate, value: view.templateId },
    { key: CampaignStage, value: view.stage },
    { key: CampaignStatus, value: view.status },
    { key: CampaignOverdue, value: view.overdue.length > 0 },
  ];
}

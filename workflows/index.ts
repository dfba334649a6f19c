export { campaignWorkflow } from './campaign.js';

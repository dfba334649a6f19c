import type { CampaignClient } from '../clients/campaign-client.js';
import type { TemplateRegistry } from '../infra/templates.js';
import type { Logger } from '../infra/logger.js';
import type { Config } from '../shared/config.js';
import type { KeyVerifier } from './access.js';
import type { KeyAuthenticator } from './key-authenticator.js';
import type { Sessions } from './sessions.js';

/** What the app is built from; everything is passed in, so tests build it on their own servers. */
export interface AppDeps {
  /** The one campaign facade (start, execute, view, list, the work list, and reading listed campaigns). */
  campaigns: Pick<
    CampaignClient,
    'start' | 'startOnce' | 'execute' | 'view' | 'list' | 'listPage' | 'workList' | 'workReport' | 'readView'
  >;
  templates: Pick<TemplateRegistry, 'listTemplates' | 'findTemplate'>;
  keys: KeyVerifier;
  config: Config;
  logger: Logger;
  /** Readiness probe for Temporal; throws when it does not answer. Default: a one-item campaign list. */
  checkTemporal?: () => Promise<void>;
  now?: () => number;
}

/** What route plugins receive, the API's and the dashboard's alike. */
export interface RouteContext extends AppDeps {
  sessions: Sessions;
  /** Checks API keys under the failure limits and the bound on verifications (API and sign-in alike). */
  authenticator: KeyAuthenticator;
  checkTemporal: () => Promise<void>;
  now: () => number;
}

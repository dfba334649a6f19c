import type { FastifyRequest } from 'fastify';
import { CampaignError } from '../shared/errors.js';

/**
 * What the API and the dashboard tell a client of a fault on the server's side (5xx): what to do, never
 * what happened (addresses, paths, driver messages or stacks help an attacker more than a user). What
 * happened goes to the log, under the request id the client sees in `x-request-id`.
 */
export const serverFaultMessages = {
  api: {
    unavailable: 'the campaign engine is not answering right now; try again in a minute',
    internal: 'internal error; the server log has the details',
  },
  dashboard: {
    unavailable: 'The campaign engine is not answering right now. Try again in a minute.',
    internal: 'Something went wrong on the server; the log has the details.',
  },
} as const;

/** The client's message for a server fault (status >= 500). */
export function serverFaultMessage(err: unknown, audience: keyof typeof serverFaultMessages): string {
  if (err instanceof CampaignError && err.options.forClients) return err.message;
  return serverFaultMessages[audience][err instanceof CampaignError && err.code === 'unavailable' ? 'unavailable' : 'internal'];
}

/** Logs what a client is not told of a server fault: the whole error, or Temporal's answer when it is down. */
export function logServerFault(err: unknown, request: FastifyRequest, status: number): void {
  if (status < 500) return;
  if (err instanceof CampaignError && err.code === 'unavailable') request.log.warn({ err: err.message }, 'Temporal unavailable');
  else request.log.error({ err }, 'request failed');
}

import { z } from 'zod';

/**
 * The one registry of error codes that every entry point (CLI, HTTP API, NATS bridge) maps from,
 * so the same mistake gets the same answer everywhere. Every other list of codes is derived from it.
 *
 * `refusal`: a campaign's own rules may refuse a command with the code (a rejected command result, a
 * failed update); the others only come from the interfaces and from reaching Temporal.
 */
export const errorCodes = {
  invalid: { http: 400, exit: 2, refusal: true },
  forbidden: { http: 403, exit: 4, refusal: true },
  unauthorized: { http: 401, exit: 4, refusal: false },
  'not-found': { http: 404, exit: 3, refusal: true },
  conflict: { http: 409, exit: 5, refusal: true },
  precondition: { http: 422, exit: 6, refusal: true },
  unavailable: { http: 503, exit: 7, refusal: false },
} as const;
export type ErrorCode = keyof typeof errorCodes;
export type RefusalCode = { [C in ErrorCode]: (typeof errorCodes)[C]['refusal'] extends true ? C : never }[ErrorCode];

const codes = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = z.enum(codes);
export const refusalCodeSchema = z.enum(codes.filter((c) => errorCodes[c].refusal) as [RefusalCode, ...RefusalCode[]]);

export class CampaignError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field-level problems, each "path: message". */
    readonly issues: string[] = [],
    /**
     * A server-side refusal (5xx) whose message was written for the caller and names nothing internal
     * (no address, path or driver message), so the API and dashboard show it instead of a generic one.
     */
    readonly options: { forClients?: boolean } = {},
  ) {
    super(message);
    this.name = 'CampaignError';
  }

  toJSON() {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

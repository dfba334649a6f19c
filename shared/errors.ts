/**
 * The one registry of error codes that every entry point (CLI, HTTP API, NATS bridge) maps from,
 * so the same mistake gets the same answer everywhere.
 */
export const errorCodes = {
  invalid: { http: 400, exit: 2 },
  forbidden: { http: 403, exit: 4 },
  unauthorized: { http: 401, exit: 4 },
  'not-found': { http: 404, exit: 3 },
  conflict: { http: 409, exit: 5 },
  precondition: { http: 422, exit: 6 },
  unavailable: { http: 503, exit: 7 },
} as const;
export type ErrorCode = keyof typeof errorCodes;

export class CampaignError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field-level problems, each "path: message". */
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'CampaignError';
  }

  toJSON() {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

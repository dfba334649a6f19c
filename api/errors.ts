import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { logServerFault, serverFaultMessage } from '../http/server-faults.js';
import { CampaignError, errorCodes } from '../shared/errors.js';

/**
 * One shape for every API error — `{ statusCode, code, error, message, issues }` — mapped from the
 * engine's error registry (shared/errors.ts), so the API answers as the CLI and the NATS bridge do.
 */

export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  issues: string[];
}

/** The code of an error that is no CampaignError: the registry's for its status, else an HTTP-level one. */
const codeForStatus: Record<number, string> = {
  405: 'method-not-allowed',
  406: 'not-acceptable',
  413: 'too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  ...Object.fromEntries(Object.entries(errorCodes).map(([code, { http }]) => [http, code])),
};
/** Every code the API answers with, for its documentation. */
export const apiErrorCodes: readonly string[] = [...Object.values(codeForStatus), 'internal'];

export function errorBody(statusCode: number, message: string, issues: string[] = [], code?: string): ErrorBody {
  return {
    statusCode,
    code: code ?? codeForStatus[statusCode] ?? (statusCode >= 500 ? 'internal' : 'invalid'),
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    issues,
  };
}

const contextWords: Record<string, string> = { body: 'body', querystring: 'query', params: 'path parameter', headers: 'header' };

/** Maps any error thrown in a handler (or by validation) to a status and a body. */
export function toErrorBody(err: unknown, request: FastifyRequest): ErrorBody {
  if (err instanceof CampaignError) {
    const status = errorCodes[err.code].http;
    // A server fault's detail is for the log, not the client (http/server-faults.ts).
    if (status >= 500) return errorBody(status, serverFaultMessage(err, 'api'), [], err.code);
    return errorBody(status, err.message, err.issues, err.code);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = (err as { validationContext?: string }).validationContext ?? 'body';
    const at = (path: string) => {
      const where = context === 'body' ? path : [contextWords[context] ?? context, path].filter(Boolean).join(' ');
      return where || (context === 'body' ? '(body)' : context);
    };
    const issues = err.validation.flatMap((v) => {
      const path = v.instancePath.split('/').filter(Boolean).join('.');
      // One line per unknown field, named by its own path (a typo should point at itself).
      const keys = (v.params as { keys?: unknown }).keys;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys))
        return keys.map((k) => `${at([path, String(k)].filter(Boolean).join('.'))}: unknown field`);
      return [`${at(path)}: ${v.message ?? 'invalid'}`];
    });
    const what = context === 'body' ? (request.routeOptions.config.what ?? 'request body') : `request ${contextWords[context] ?? context}`;
    return errorBody(400, `invalid ${what}: ${issues.join('; ')}`, issues, 'invalid');
  }
  if (err instanceof Error && isResponseSerializationError(err)) return errorBody(500, serverFaultMessage(err, 'api'));
  const fastifyError = err as FastifyError;
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 500) return errorBody(status, serverFaultMessage(err, 'api'));
  const message =
    fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? `the request body is larger than the limit of ${request.routeOptions.bodyLimit ?? '?'} bytes`
      : fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? `send the body as application/json (got ${request.headers['content-type'] ?? 'no content type'})`
        : fastifyError.message;
  return errorBody(status, message);
}

export function sendError(reply: FastifyReply, body: ErrorBody): FastifyReply {
  if (body.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="advocacy"');
  return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * The router's own refusals, before any route or hook runs: a path parameter that is not valid
 * percent-encoding (`%zz`), or one longer than the router reads. Bad input in the path, so a 400 in the
 * one shape (with the headers every answer carries), not Fastify's bare body.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
  const issue =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `path: a parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`
      : err.code === 'FST_ERR_BAD_URL'
        ? 'path: not valid percent-encoding (UTF-8, with % followed by two hex digits)'
        : `path: ${err.message}`;
  void sendError(reply, errorBody(400, `invalid request path: ${issue.slice('path: '.length)}`, [issue]));
}

/**
 * The longest path parameter the router passes on. Far above any valid one (campaign ids have up to 200
 * characters), so a too-long id reaches the route's schema and is refused there naming its parameter.
 */
export const MAX_PATH_PARAM_LENGTH = 2048;

/** The API's error handler: logs server faults, answers every error in the one shape. */
export function apiErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = toErrorBody(err, request);
  logServerFault(err, request, body.statusCode);
  return sendError(reply, body);
}

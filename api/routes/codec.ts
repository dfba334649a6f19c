import type { Payload } from '@temporalio/common';
import { JSONToPayload, payloadToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../http/route-context.js';
import { sameOrigin } from '../../http/sessions.js';
import { PayloadDecryptionError, payloadCodecFor } from '../../infra/payload-codec.js';
import { codecOrigins } from '../../shared/config.js';
import { CampaignError } from '../../shared/errors.js';
import { errorResponses, json } from '../schemas.js';

/**
 * The payload codec endpoint of Temporal's remote codec protocol, so the Temporal Web UI and
 * `temporal workflow show --codec-endpoint` show campaign histories in clear to an operator:
 * `POST /codec/decode` and `POST /codec/encode`, body `{ payloads: [...] }` (Payloads in protobuf JSON:
 * metadata values and data in base64), the same shape back.
 *
 * Who: a `system` key without a country scope, as a bearer key (the Temporal CLI's `--codec-auth`) or a
 * dashboard session (the Web UI sends the browser's cookies when "include cross-origin credentials" is
 * set). Decoding opens any payload of any campaign in any country, beyond every role check and country
 * scope of the facade, which is what only the system role may do; a country-scoped key may not, as a
 * payload says nothing of its campaign's country.
 *
 * The Web UI calls from its own origin: CORS is answered for the origins of API_CODEC_ORIGINS (default:
 * the Temporal Web UI's, TEMPORAL_UI_URL), with credentials; other origins are refused. `X-Namespace`,
 * when sent, must name the engine's namespace.
 */

const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
const payloadsBodySchema = z.object({ payloads: z.array(jsonPayloadSchema).max(10_000) }).meta({ id: 'CodecPayloads' });

/** Protobuf JSON payloads are larger than the API's other bodies: one may carry a whole campaign state. */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

export const codecRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const { config } = ctx;
  let codec: ReturnType<typeof payloadCodecFor>;
  try {
    codec = payloadCodecFor(config);
  } catch (err) {
    // A key problem fails buildApp with its message, not as an uncaught exception and a plugin timeout.
    done(err as Error);
    return;
  }
  const origins = new Set(codecOrigins(config));
  const allowed = (origin: string | undefined): origin is string => origin !== undefined && origins.has(origin);

  // Every answer of these routes to an allowed origin carries CORS headers, refusals (401, 403) included,
  // so the Web UI can tell why; nothing is granted to another origin, nor by a refused preflight.
  app.addHook('onSend', async (request, reply) => {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    const refusedPreflight = request.method === 'OPTIONS' && reply.statusCode !== 204;
    if (allowed(origin) && !refusedPreflight) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
    }
  });

  for (const direction of ['decode', 'encode'] as const) {
    const url = `/codec/${direction}`;

    app.options(url, { config: { access: 'public' }, schema: { hide: true } }, (request, reply) => {
      const origin = request.headers.origin;
      const method = request.headers['access-control-request-method'];
      if (!allowed(origin) || method !== 'POST') {
        request.log.warn({ origin, method }, 'refused a codec preflight');
        throw new CampaignError(
          'forbidden',
          `origin ${origin ?? '(none)'} may not call ${url}; allowed: ${[...origins].join(', ')} (API_CODEC_ORIGINS)`,
        );
      }
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    });

    app.post(
      url,
      {
        bodyLimit: Math.max(config.API_BODY_LIMIT, CODEC_BODY_LIMIT),
        config: { access: 'system', auth: 'bearer-or-session', action: `${direction} workflow payloads`, what: 'payloads' },
        schema: {
          tags: ['codec'],
          summary: `${direction === 'decode' ? 'Decrypt' : 'Encrypt'} workflow payloads (Temporal remote codec; operators only)`,
          description:
            'For the Temporal Web UI and `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <key>"`. ' +
            'Needs a system key without a country scope, as a bearer key or a dashboard session.',
          body: payloadsBodySchema,
          response: {
            200: json(`The payloads, ${direction}d, in the same order`, payloadsBodySchema),
            ...errorResponses(400, 401, 403, 413, 422),
          },
        },
      },
      async (request) => {
        refuseOutsiders(request, config.TEMPORAL_NAMESPACE, allowed(request.headers.origin));
        const payloads: Payload[] = request.body.payloads.map((p) => JSONToPayload({ metadata: p.metadata ?? {}, data: p.data ?? '' }));
        try {
          const result = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          return { payloads: result.map((p) => payloadToJSON(p)) };
        } catch (err) {
          if (err instanceof PayloadDecryptionError) throw new CampaignError('precondition', err.message);
          throw err;
        }
      },
    );
  }
  done();
};

/**
 * The checks past the role: a browser's request comes from an allowed origin or this one (which is also
 * what keeps other sites from using a signed-in operator's session), the key has no country scope, and
 * the namespace is the engine's.
 */
function refuseOutsiders(request: FastifyRequest, namespace: string, originAllowed: boolean): void {
  if (!originAllowed && !sameOrigin(request))
    throw new CampaignError('forbidden', `origin ${request.headers.origin} may not call the codec endpoint (API_CODEC_ORIGINS)`);
  if (request.apiKey?.countries)
    throw new CampaignError(
      'forbidden',
      `key ${request.apiKey.id} is limited to ${request.apiKey.countries.join(' ')}; decoding payloads needs a system key of every country`,
    );
  const asked = request.headers['x-namespace'];
  if (typeof asked === 'string' && asked !== '' && asked !== namespace)
    throw new CampaignError('forbidden', `this endpoint decodes the payloads of namespace ${namespace}, not ${asked}`);
}

import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { runCommand } from '../commands.js';
import type { RouteContext } from '../../http/route-context.js';
import {
  cancelBody,
  campaignParams,
  commandResponse,
  errorResponses,
  inputParams,
  json,
  pauseBody,
  resumeBody,
  setInputBody,
  writeHeaders,
} from '../schemas.js';

const responses = {
  200: json('Accepted: the request id, the events it caused and the campaign as it is now', commandResponse),
  ...errorResponses(400, 401, 403, 404, 409, 413, 422, 503),
};

/** Steering a campaign, for programme leads: pause, resume, cancel, and correct an input. */
export const steeringRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  // Each names its command, as the engine does when it refuses a role ("role staff may not pause").
  const config = (action: 'pause' | 'resume' | 'cancel' | 'set-input') => ({ access: 'programme-lead', what: 'command', action }) as const;
  const schema = { tags: ['steering'], headers: writeHeaders, params: campaignParams, response: responses };

  app.post(
    '/campaigns/:id/pause',
    { config: config('pause'), schema: { ...schema, summary: 'Pause a campaign (reminders and overdue notices stop)', body: pauseBody } },
    async (request) => runCommand(ctx, request, request.params.id, { ...request.body, type: 'pause' }),
  );
  app.post(
    '/campaigns/:id/resume',
    { config: config('resume'), schema: { ...schema, summary: 'Resume a paused campaign', body: resumeBody } },
    async (request) => runCommand(ctx, request, request.params.id, { type: 'resume' }),
  );
  app.post(
    '/campaigns/:id/cancel',
    { config: config('cancel'), schema: { ...schema, summary: 'Cancel a campaign, with a reason', body: cancelBody } },
    async (request) => runCommand(ctx, request, request.params.id, { ...request.body, type: 'cancel' }),
  );
  app.post(
    '/campaigns/:id/inputs/:name',
    {
      config: config('set-input'),
      schema: {
        ...schema,
        params: inputParams,
        summary: "Correct one of the campaign's inputs (e.g. the state's UNCAT status)",
        body: setInputBody,
      },
    },
    async (request) => runCommand(ctx, request, request.params.id, { ...request.body, type: 'set-input', name: request.params.name }),
  );
  done();
};

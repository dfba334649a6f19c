import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Access } from '../../http/access.js';
import { runCommand } from '../commands.js';
import type { RouteContext } from '../../http/route-context.js';
import {
  assignBody,
  campaignParams,
  commandResponse,
  completeBody,
  errorResponses,
  json,
  extendBody,
  milestoneParams,
  noteBody,
  reopenBody,
  skipBody,
  writeHeaders,
} from '../schemas.js';

/** The command a route runs, which also names it in a refusal ("role viewer may not complete"), as the engine does. */
const commandType = (action: 'complete' | 'skip' | 'reopen' | 'assign' | 'notes' | 'extend') => (action === 'notes' ? 'note' : action);

const responses = {
  200: json('Accepted: the request id, the events it caused and the campaign as it is now', commandResponse),
  ...errorResponses(400, 401, 403, 404, 409, 413, 422, 503),
};

/**
 * Milestone commands. Staff complete, skip, reopen, assign and annotate; programme leads extend a
 * deadline. A milestone whose template asks for a programme lead is refused (403) to staff by the engine.
 */
export const milestoneRoutes: FastifyPluginCallbackZod<{ ctx: RouteContext }> = (app, { ctx }, done) => {
  const command = <B extends z.ZodType>(
    action: 'complete' | 'skip' | 'reopen' | 'assign' | 'notes' | 'extend',
    access: Access,
    body: B,
    summary: string,
  ) =>
    app.post(
      `/campaigns/:id/milestones/:milestone/${action}`,
      {
        config: { access, what: 'command', action: commandType(action) },
        schema: { tags: ['milestones'], summary, headers: writeHeaders, params: milestoneParams, body, response: responses },
      },
      async (request) => {
        const { id, milestone } = request.params;
        return runCommand(ctx, request, id, { ...(request.body as object), type: commandType(action), milestone });
      },
    );

  command('complete', 'staff', completeBody, 'Record that a milestone is done: the real date (may be past), evidence and a note');
  command('skip', 'staff', skipBody, 'Skip an optional milestone, with a reason');
  command('reopen', 'staff', reopenBody, 'Reopen a done or skipped milestone, with a reason');
  command('assign', 'staff', assignBody, 'Assign a milestone to an owner');
  command('notes', 'staff', noteBody, 'Add a note to a milestone');
  command('extend', 'programme-lead', extendBody, "Extend a milestone's deadline within the template's limit, citing its legal basis");

  app.post(
    '/campaigns/:id/notes',
    {
      config: { access: 'staff', what: 'command', action: 'note' },
      schema: {
        tags: ['campaigns'],
        summary: 'Add a note to the campaign',
        headers: writeHeaders,
        params: campaignParams,
        body: noteBody,
        response: responses,
      },
    },
    async (request) => runCommand(ctx, request, request.params.id, { ...request.body, type: 'note' }),
  );
  done();
};

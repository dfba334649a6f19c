/**
 * What `npm run dev` shows once the stack is up: the engine at work on real history. It starts the
 * campaigns the region data calls for in two states (the Philippines' NPM designation, whose Art. 17
 * deadline passed years ago, and Indonesia's OPCAT ratification), records a milestone as staff, and
 * prints the campaigns and the events that other systems received over JetStream.
 * Runnable again against a running stack (`npm run demo`): campaigns that exist are shown, not restarted.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { Client, Connection } from '@temporalio/client';
import { pathToFileURL } from 'node:url';
import { CampaignClient } from '../clients/campaign-client.js';
import { loadConfigOrExit } from '../infra/config.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { connectNats } from '../infra/nats.js';
import { dataConverterFor } from '../infra/payload-codec.js';
import { temporalConnectionOptions } from '../infra/temporal-connection.js';
import { loadRegionStatus } from '../infra/region-status.js';
import { loadTemplates } from '../infra/templates.js';
import type { CampaignView } from '../shared/campaign/index.js';
import type { Config } from '../shared/config.js';
import { dateOfInstant } from '../shared/dates.js';
import { CampaignError } from '../shared/errors.js';
import { cloudEventSchema } from '../shared/events/cloudevent.js';
import { allEventsSubject } from '../shared/events/subjects.js';
import { seedCampaigns } from '../shared/region-seed.js';

const lead = { actor: { id: 'demo-programme-lead', role: 'programme-lead' as const } };
const staff = { actor: { id: 'demo-staff', role: 'staff' as const } };
const print = (line = '') => process.stdout.write(`${line}\n`);

function describe(view: CampaignView): void {
  print(`  ${view.campaignId}  ${view.templateTitle} (${view.country})  stage ${view.stage}, ${view.progress.percent}% done`);
  for (const m of view.milestones) {
    const due = m.dueOn ? ` due ${m.dueOn}` : '';
    const done = m.completedOn ? ` on ${m.completedOn}` : '';
    print(`    ${m.display.padEnd(8)} ${m.id}${done}${due}${m.legalBasis ? `  [${m.legalBasis}]` : ''}`);
  }
}

export async function runDemo(config: Config, logger: Logger): Promise<void> {
  const dataConverter = dataConverterFor(config);
  const connection = await Connection.connect({ ...temporalConnectionOptions(config) });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const nc = await connectNats(config, { name: 'advocacy-demo', logger });
  try {
    const templates = await loadTemplates({ extraDirs: config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] });
    const campaigns = new CampaignClient({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, templates });
    const region = await loadRegionStatus();

    // Listen from now on, as a subscriber system would (an ordered consumer keeps no server state).
    const consumer = await jetstream(nc).consumers.get(config.EVENTS_STREAM, {
      // One subject as a string: nats-server 2.9 (Debian's) has no multi-filter consumers.
      filter_subjects: allEventsSubject(config.EVENTS_SUBJECT_PREFIX),
      deliver_policy: DeliverPolicy.New,
    });
    const messages = await consumer.consume();
    const received: string[] = [];
    const listening = (async () => {
      for await (const m of messages) {
        const event = cloudEventSchema.parse(m.json());
        received.push(
          `  #${event.data.sequence} ${m.subject}  ${event.data.campaignId}${'milestone' in event.data && event.data.milestone ? ` ${event.data.milestone}` : ''}`,
        );
      }
    })();

    const views: CampaignView[] = [];
    let changed = false;
    for (const country of ['PH', 'ID']) {
      const plan = seedCampaigns(region, country, templates.allTemplates());
      for (const { rationale, request } of plan.campaigns) {
        const campaignId = `demo-${country.toLowerCase()}-${request.template}`;
        print(`${plan.name}: ${rationale}`);
        try {
          views.push(await campaigns.start({ ...request, campaignId }, lead));
          changed = true;
        } catch (err) {
          if (!(err instanceof CampaignError && err.code === 'conflict')) throw err;
          views.push(await campaigns.view(campaignId));
          print(`  (already running from an earlier demo: shown as it is)`);
        }
      }
    }
    const opcat = views.find((v) => v.templateId === 'opcat-ratification');
    if (opcat?.milestones.find((m) => m.id === 'awareness-dialogue')?.status === 'open') {
      const result = await campaigns.execute(
        opcat.campaignId,
        { type: 'complete', milestone: 'awareness-dialogue', date: dateOfInstant(Date.now()), note: 'Regional dialogue held (demo)' },
        staff,
      );
      changed = true;
      print(`Staff recorded "awareness-dialogue" on ${opcat.campaignId}: events ${result.ok ? result.events.join(', ') : '-'}`);
    }

    print('\nCampaigns now:');
    for (const v of views) describe(await campaigns.view(v.campaignId));

    // Give the publish activities a moment to deliver, then show what subscribers saw.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && received.length === 0) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    await messages.close();
    await listening;
    print(`\nEvents published to JetStream stream ${config.EVENTS_STREAM} during the demo (${received.length}):`);
    for (const line of received) print(line);
    if (changed && received.length === 0) {
      throw new Error('no events arrived from JetStream; check the engine worker log (is NATS reachable?)');
    }
    print('\nNext: `npx advocacy campaign list`, `npx advocacy campaign show demo-ph-npm-designation`, `npx advocacy events tail`.');
  } finally {
    await nc.drain().catch(() => undefined);
    await connection.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfigOrExit();
  runDemo(config, createLogger('demo', config.LOG_LEVEL)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

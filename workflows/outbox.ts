import { condition, proxyActivities } from '@temporalio/workflow';
import type { CampaignActivities, DomainEvent } from '../shared/campaign/index.js';

const { publishEvents } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '20 seconds',
  // NATS may be down for a while: keep retrying, at most a minute apart, so nothing is lost.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const PUBLISH_BATCH = 50;

/**
 * Starts the outbox's publisher, which runs for the life of the workflow run: events leave in order, one
 * batch at a time; a batch is removed only after it was acknowledged. `busy` is true while a batch is out,
 * so continue-as-new can wait for it instead of carrying a batch that is being sent.
 */
export function startPublisher(outbox: DomainEvent[]): { readonly busy: boolean } {
  const publisher = { busy: false };
  const publish = async () => {
    for (;;) {
      await condition(() => outbox.length > 0);
      publisher.busy = true;
      const batch = outbox.slice(0, PUBLISH_BATCH);
      await publishEvents(batch);
      outbox.splice(0, batch.length);
      publisher.busy = false;
    }
  };
  void publish();
  return publisher;
}

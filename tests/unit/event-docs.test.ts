import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { domainEventTypes } from '../../shared/campaign/domain-events.js';
import { REGENERATE_COMMAND, renderEventDocs, staleEventDocs } from '../../scripts/generate-event-docs.js';

describe('generated event documentation (docs/events)', () => {
  it('is up to date with the zod schemas', () => {
    const stale = staleEventDocs();
    expect(
      stale,
      `docs/events is out of date (${stale.join(', ')}). Regenerate it with \`${REGENERATE_COMMAND}\` and commit the result.`,
    ).toEqual([]);
  });

  it('describes every event type with a channel, an operation and a schema', () => {
    const files = renderEventDocs();
    const doc = parseYaml(files.get('asyncapi.yaml') ?? '') as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
      operations: Record<string, { action: string }>;
    };
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels).map((c) => c.address);
    for (const type of domainEventTypes) {
      expect(addresses).toContain(`advocacy.{templateId}.{country}.${type}`);
      const schema = JSON.parse(files.get(`schemas/${type}.v1.json`) ?? '{}') as { $id: string; properties: object };
      expect(schema.$id).toBe(`urn:advocacy:events:${type}:v1`);
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'source', 'type', 'time', 'data']));
    }
    expect(addresses).toContain('advocacy.commands.{sender}.{campaignId}.{type}');
    expect(doc.operations.executeCommand?.action).toBe('receive');
  });
});

import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/servers/index.js';
import { installTestRuntime, loadWorkflowBundle } from '../support/index.js';

/**
 * Recorded histories of every released workflow shape (scripts/record-histories.ts) replayed against
 * today's workflow code: a non-deterministic change fails here and must be guarded with `patched()`.
 */
const dir = join(repoRoot, 'tests', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded campaign histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    installTestRuntime();
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await loadWorkflowBundle() }, history, file);
  });
});

import { describe, expect, it } from 'vitest';
import { compareCommands, formatMismatches, jsonDifferences, type SentCommand } from '../support/replay-check.js';

const publish = (id: string, events: unknown[]): SentCommand => ({ kind: 'activity', id, type: 'publishEvents', args: [events] });

describe('replay check: comparing what a replay sends with what the history recorded', () => {
  it('names the path and both values of each difference', () => {
    expect(jsonDifferences([{ milestone: 'deposit', late: false }], [{ milestone: 'signature', late: false, extra: 1 }])).toEqual([
      '[0].milestone: recorded "deposit", replayed "signature"',
      '[0].extra: recorded nothing, replayed 1',
    ]);
    expect(jsonDifferences('a', 'b')).toEqual(['(input): recorded "a", replayed "b"']);
  });

  it('accepts equal content, compared as stored (undefined fields and arguments drop out)', () => {
    const recorded: SentCommand[] = [
      publish('1', [{ type: 'note-added', sequence: 1 }]),
      { kind: 'activity', id: '2', type: 'resolveTemplate', args: ['npm-designation', undefined] },
    ];
    const replayed: SentCommand[] = [
      publish('1', [{ type: 'note-added', sequence: 1, owner: undefined }]),
      { kind: 'activity', id: '2', type: 'resolveTemplate', args: ['npm-designation', undefined] },
    ];
    expect(compareCommands(recorded, replayed)).toEqual([]);
  });

  it('reports changed content, another type, and commands missing from either side', () => {
    const recorded: SentCommand[] = [
      publish('1', [{ type: 'note-added', sequence: 1, text: 'a' }]),
      { kind: 'activity', id: '2', type: 'resolveTemplate', args: ['npm-designation'] },
      { kind: 'child-workflow', id: 'c~npm-designation', type: 'campaignWorkflow', args: [{}] },
    ];
    const replayed: SentCommand[] = [
      publish('1', [{ type: 'note-added', sequence: 1, text: 'b' }]),
      { kind: 'activity', id: '2', type: 'informCampaigns', args: ['npm-designation'] },
      { kind: 'continue-as-new', id: 'continue-as-new', type: 'campaignWorkflow', args: [{}] },
    ];
    const mismatches = compareCommands(recorded, replayed);
    expect(mismatches).toEqual([
      { kind: 'activity', id: '1', type: 'publishEvents', differences: ['[0][0].text: recorded "a", replayed "b"'] },
      { kind: 'activity', id: '2', type: 'resolveTemplate', differences: ['type: recorded resolveTemplate, replayed informCampaigns'] },
      {
        kind: 'child-workflow',
        id: 'c~npm-designation',
        type: 'campaignWorkflow',
        differences: ['recorded, but the replay did not send it'],
      },
      { kind: 'continue-as-new', id: 'continue-as-new', type: 'campaignWorkflow', differences: ['sent by the replay, but not recorded'] },
    ]);
    expect(formatMismatches('h.json', mismatches.slice(0, 1))).toBe(
      'h.json: the replay sends other content than the history recorded (guard the change with patched()):\n' +
        '  activity 1 (publishEvents):\n' +
        '    [0][0].text: recorded "a", replayed "b"',
    );
  });
});

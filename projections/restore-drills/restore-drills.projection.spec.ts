import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { foldInMemory } from '../projection';
import { restoreDrillsProjection } from './restore-drills.projection';

describe('restore_drills projection', () => {
  it('given two drills, then holds both by id', async () => {
    const s = new InMemoryEventStore();
    const drill = (id: string, result: string) => ({
      type: 'RestoreDrillRecorded',
      data: { drillId: id, owner: 'alice', result, notes: null, eventsRestored: 10, durationSeconds: 3, performedAt: '2026-11-25T10:00:00.000Z' },
    });
    await s.append('restore-drills', [drill('d1', 'failed'), drill('d2', 'passed')], 'any');
    const rows = foldInMemory(restoreDrillsProjection, await s.readAll(null, 10));
    expect([...rows.values()].map((r) => [r.drillId, r.result])).toEqual([
      ['d1', 'failed'],
      ['d2', 'passed'],
    ]);
  });
});

import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { jobDefinitionsProjection } from './job-definitions.projection';

const ev = (type: string, data: unknown, occurredAt: string, rev: bigint): RecordedEvent => ({
  eventId: `e${rev}`,
  streamId: 'jobdef-nightly',
  revision: rev,
  position: rev,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt },
  recordedAt: new Date(occurredAt),
  checkpoint: '',
});
const definition = { name: 'nightly', schedule: '0 2 * * *' } as never;

describe('job_definitions projection', () => {
  it('given defined, missed ticks, changed and removed: the row keeps definedAt, counts misses, marks removal', () => {
    const rows = foldInMemory(jobDefinitionsProjection, [
      ev('JobDefined', { name: 'nightly', definition, source: 'config' }, '2025-03-01T00:00:00.000Z', 0n),
      ev('TickMissed', { job: 'nightly', tick: '2025-03-02T02:00:00.000Z' }, '2025-03-03T00:00:00.000Z', 1n),
      ev('TickMissed', { job: 'nightly', tick: '2025-03-01T02:00:00.000Z' }, '2025-03-03T00:00:00.000Z', 2n),
      ev('JobChanged', { name: 'nightly', definition, source: 'config', changed: ['schedule'] }, '2025-03-04T00:00:00.000Z', 3n),
      ev('JobRemoved', { name: 'nightly' }, '2025-03-05T00:00:00.000Z', 4n),
    ]);
    expect(rows.get('nightly')).toMatchObject({
      definedAt: '2025-03-01T00:00:00.000Z',
      changedAt: '2025-03-04T00:00:00.000Z',
      removedAt: '2025-03-05T00:00:00.000Z',
      missedTicks: 2,
      lastMissedTick: '2025-03-02T02:00:00.000Z',
    });
  });

  it('skipped ticks (a hold kept the job from running) are counted apart from missed ones', () => {
    const hold = { source: 'pause', scope: 'job', subject: 'nightly', reason: 'deploy', by: 'alice', until: null };
    const rows = foldInMemory(jobDefinitionsProjection, [
      ev('JobDefined', { name: 'nightly', definition, source: 'config' }, '2025-03-01T00:00:00.000Z', 0n),
      ev('TickSkipped', { job: 'nightly', tick: '2025-03-02T02:00:00.000Z', detectedAt: '2025-03-02T02:00:00.100Z', hold }, '2025-03-02T02:00:00.100Z', 1n),
      ev('TickSkipped', { job: 'nightly', tick: '2025-03-03T02:00:00.000Z', detectedAt: '2025-03-03T02:00:00.100Z', hold }, '2025-03-03T02:00:00.100Z', 2n),
    ]);
    expect(rows.get('nightly')).toMatchObject({ missedTicks: 0, lastMissedTick: null, skippedTicks: 2, lastSkippedTick: '2025-03-03T02:00:00.000Z' });
  });
});

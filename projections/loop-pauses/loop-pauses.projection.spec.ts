import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { loopPausesProjection, pauseHolds } from './loop-pauses.projection';

const ev = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  type,
  data,
  eventId: type,
  streamId: `loop-pause-${data.loop}`,
  revision: 0n,
  position: 0n,
  schemaVersion: 1,
  metadata: { occurredAt: String(data.at) },
  recordedAt: new Date(),
  checkpoint: '',
});

describe('loop_pauses projection', () => {
  it('a row per loop: paused with its reason and end, then resumed by whom and why', () => {
    const rows = foldInMemory(loopPausesProjection, [
      ev('LoopPaused', { loop: 'job-worker', reason: 'deploy', resumeAt: '2026-03-02T11:00:00.000Z', pausedBy: 'alice', at: '2026-03-02T10:00:00.000Z' }),
      ev('LoopPaused', { loop: 'poll-scheduler', reason: 'db', resumeAt: null, pausedBy: 'bob', at: '2026-03-02T10:01:00.000Z' }),
      ev('LoopResumed', { loop: 'poll-scheduler', reason: 'db back', resumedBy: 'carol', at: '2026-03-02T10:05:00.000Z' }),
    ]);
    const worker = rows.get('job-worker')!;
    expect(worker).toMatchObject({ paused: true, reason: 'deploy', pausedBy: 'alice', resumeAt: '2026-03-02T11:00:00.000Z', resumedBy: null });
    expect(pauseHolds(worker, new Date('2026-03-02T10:59:59Z'))).toBe(true);
    expect(pauseHolds(worker, new Date('2026-03-02T11:00:00Z'))).toBe(false);
    expect(rows.get('poll-scheduler')).toMatchObject({
      paused: false,
      reason: 'db',
      resumedBy: 'carol',
      resumeReason: 'db back',
      resumedAt: '2026-03-02T10:05:00.000Z',
    });
    expect(pauseHolds(rows.get('poll-scheduler')!, new Date('2026-03-02T10:02:00Z'))).toBe(false);
  });
});

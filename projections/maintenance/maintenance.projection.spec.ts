import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { maintenanceProjection } from './maintenance.projection';

let position = 0n;
const ev = (type: string, data: Record<string, unknown>): RecordedEvent =>
  ({
    eventId: `e${++position}`,
    streamId: 'maintenance-acme',
    revision: position,
    position,
    type,
    schemaVersion: 1,
    data: { tenant: 'acme', ...data },
    metadata: { occurredAt: '' },
    recordedAt: new Date(),
    checkpoint: String(position),
  }) as RecordedEvent;

describe('maintenance projection', () => {
  const scheduled = ev('MaintenanceScheduled', {
    mode: 'offline',
    banner: 'back at 14:00',
    startsAt: '2026-11-28T12:00:00.000Z',
    endsAt: '2026-11-28T14:00:00.000Z',
    reason: 'upgrade',
    scheduledBy: 'alice',
    scheduledAt: '2026-11-27T09:00:00.000Z',
  });
  const started = ev('MaintenanceStarted', {
    mode: 'offline',
    banner: 'back at 14:00',
    startedAt: '2026-11-28T12:00:00.000Z',
    endsAt: '2026-11-28T14:00:00.000Z',
    recordedAt: '2026-11-28T12:00:04.000Z',
  });

  it('holds the current window (the decider fold) and when its period opened', () => {
    const row = foldInMemory(maintenanceProjection, [scheduled, started]).get('acme')!;
    expect(row).toEqual({
      tenant: 'acme',
      window: {
        mode: 'offline',
        banner: 'back at 14:00',
        startsAt: '2026-11-28T12:00:00.000Z',
        endsAt: '2026-11-28T14:00:00.000Z',
        reason: 'upgrade',
        scheduledBy: 'alice',
        scheduledAt: '2026-11-27T09:00:00.000Z',
        openedAt: '2026-11-28T12:00:00.000Z',
      },
      last: null,
      updatedAt: '2026-11-28T12:00:04.000Z',
    });
  });

  it('an end or a call-off clears the window and becomes the last one', () => {
    const ended = foldInMemory(maintenanceProjection, [
      scheduled,
      started,
      ev('MaintenanceEnded', {
        mode: 'offline',
        startedAt: '2026-11-28T12:00:00.000Z',
        endedAt: '2026-11-28T13:00:00.000Z',
        cause: 'ended_early',
        reason: 'done',
        endedBy: 'bob',
        recordedAt: '2026-11-28T13:00:00.000Z',
      }),
    ]).get('acme')!;
    expect([ended.window, ended.last]).toEqual([
      null,
      { mode: 'offline', startedAt: '2026-11-28T12:00:00.000Z', endedAt: '2026-11-28T13:00:00.000Z', how: 'ended_early', by: 'bob', reason: 'done' },
    ]);
    const cancelled = foldInMemory(maintenanceProjection, [
      scheduled,
      ev('MaintenanceCancelled', {
        mode: 'offline',
        startsAt: '2026-11-28T12:00:00.000Z',
        reason: 'later',
        cancelledBy: 'bob',
        cancelledAt: '2026-11-27T10:00:00.000Z',
      }),
    ]).get('acme')!;
    expect(cancelled.last).toEqual({ mode: 'offline', startedAt: null, endedAt: '2026-11-27T10:00:00.000Z', how: 'cancelled', by: 'bob', reason: 'later' });
    expect(cancelled.window).toBeNull();
  });
});

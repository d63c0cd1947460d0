import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { pauseRowHolds } from './pause-row';
import { pausesProjection } from './pauses.projection';

const ev = (type: string, data: Record<string, unknown>, streamId: string, actor = 'carol'): RecordedEvent => ({
  type,
  data,
  eventId: `${type}-${Math.random()}`,
  streamId,
  revision: 0n,
  position: 0n,
  schemaVersion: 1,
  metadata: { occurredAt: String(data.at), actor },
  recordedAt: new Date(),
  checkpoint: '',
});

describe('pauses projection', () => {
  it('a row per paused subject: jobs and tenants from their pause streams, targets from their own stream', () => {
    const rows = foldInMemory(pausesProjection, [
      ev(
        'JobPaused',
        {
          scope: 'job',
          subject: 'sync',
          tenant: 'acme',
          reason: 'deploy',
          resumeAt: '2026-03-02T11:00:00.000Z',
          pausedBy: 'alice',
          at: '2026-03-02T10:00:00.000Z',
        },
        'pause-job-sync',
      ),
      ev(
        'TenantTargetsPaused',
        { scope: 'tenant-targets', subject: 'acme', tenant: 'acme', reason: 'migration', resumeAt: null, pausedBy: 'bob', at: '2026-03-02T10:01:00.000Z' },
        'pause-tenant-targets-acme',
      ),
      ev(
        'TenantTargetsResumed',
        { scope: 'tenant-targets', subject: 'acme', tenant: 'acme', reason: 'done', resumedBy: 'bob', auto: false, at: '2026-03-02T10:05:00.000Z' },
        'pause-tenant-targets-acme',
      ),
      // A pause recorded before reasons existed: by its actor, no reason.
      ev('TargetPaused', { key: 'svc::old', at: '2026-03-02T09:00:00.000Z' }, 'target-svc::old', 'dave'),
      ev(
        'TargetPaused',
        { key: 'svc::a', at: '2026-03-02T10:02:00.000Z', reason: 'flapping', pausedBy: 'erin', resumeAt: '2026-03-02T10:30:00.000Z', tenant: 'acme' },
        'target-svc::a',
      ),
      ev(
        'TargetResumed',
        {
          key: 'svc::a',
          at: '2026-03-02T10:30:00.000Z',
          nextPollAt: '2026-03-02T10:30:00.000Z',
          resumedBy: 'system',
          reason: 'resumeAt reached',
          auto: true,
          tenant: 'acme',
        },
        'target-svc::a',
      ),
      ev('TargetPaused', { key: 'svc::gone', at: '2026-03-02T10:00:00.000Z' }, 'target-svc::gone'),
      ev('TargetRemoved', { key: 'svc::gone', at: '2026-03-02T10:01:00.000Z' }, 'target-svc::gone'),
      ev('TargetResumed', { key: 'svc::never', at: '2026-03-02T10:00:00.000Z', nextPollAt: '2026-03-02T10:00:00.000Z' }, 'target-svc::never'),
    ]);
    expect([...rows.keys()].sort()).toEqual(['job:sync', 'target:svc::a', 'target:svc::old', 'tenant-targets:acme']);
    expect(rows.get('job:sync')).toMatchObject({
      scope: 'job',
      subject: 'sync',
      tenant: 'acme',
      paused: true,
      pausedBy: 'alice',
      resumeAt: '2026-03-02T11:00:00.000Z',
    });
    expect(pauseRowHolds(rows.get('job:sync')!, new Date('2026-03-02T10:59:59Z'))).toBe(true);
    expect(pauseRowHolds(rows.get('job:sync')!, new Date('2026-03-02T11:00:00Z'))).toBe(false);
    expect(rows.get('tenant-targets:acme')).toMatchObject({ paused: false, resumedBy: 'bob', resumeReason: 'done', autoResumed: false });
    expect(rows.get('target:svc::old')).toMatchObject({ scope: 'target', tenant: null, reason: '', pausedBy: 'dave', resumeAt: null, paused: true });
    expect(rows.get('target:svc::a')).toMatchObject({ tenant: 'acme', reason: 'flapping', paused: false, autoResumed: true, resumedBy: 'system' });
  });
});

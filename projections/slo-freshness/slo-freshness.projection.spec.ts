import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import type { FreshnessRow, MaintenanceSpansRow } from './freshness-rows';
import { maintenanceSpans } from './maintenance-spans';
import { freshnessTargetKey, maintenanceKey, SCHEDULER_KEY, sloFreshnessProjection, successRunsKey, tenantPausesKey } from './slo-freshness.projection';
import { addSuccess, DAY_MS } from './success-runs';

const T0 = Date.parse('2026-03-01T23:58:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const ms = (seconds: number) => T0 + seconds * 1000;
const key = 'svc::web';
const ev = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  type,
  data,
  eventId: `${type}-${String(data.at ?? data.recordedAt ?? data.scheduledAt ?? data.cancelledAt)}`,
  streamId: data.loop ? `loop-pause-${String(data.loop)}` : data.tenant ? `maintenance-${String(data.tenant)}` : `target-${key}`,
  revision: 0n,
  position: 0n,
  schemaVersion: 1,
  metadata: { occurredAt: String(data.at) },
  recordedAt: new Date(),
  checkpoint: '',
});
const objective = { objective: 99.5, maxAgeSeconds: 300, window: '30d' };
const registered = ev('TargetRegistered', {
  key,
  spec: { type: 'svc', name: 'web', tenant: 'acme', probe: { kind: 'http', url: 'http://x/' }, freshness: objective },
  source: 'api',
  at: iso(0),
});
const success = (seconds: number) => ev('PollSucceeded', { key, at: iso(seconds) });
const fold = (...events: RecordedEvent[]) => foldInMemory<FreshnessRow>(sloFreshnessProjection, events);

describe('slo_freshness projection', () => {
  it('keeps the target’s tenant, registration and objective, as set, changed and cleared', () => {
    const tighter = { ...objective, objective: 99.9 };
    const rows = fold(registered, ev('FreshnessObjectiveSet', { key, at: iso(10), objective: tighter, previous: objective }));
    expect(rows.get(freshnessTargetKey(key))).toEqual({ kind: 'target', key, tenant: 'acme', registeredAt: ms(0), objective: tighter, pauses: [] });
    const cleared = fold(registered, ev('FreshnessObjectiveCleared', { key, at: iso(10), previous: objective }));
    expect(cleared.get(freshnessTargetKey(key))).toMatchObject({ objective: null });
    const changed = fold(registered, ev('TargetChanged', { key, at: iso(10), spec: { type: 'svc', name: 'web', probe: {} }, previous: {} }));
    expect(changed.get(freshnessTargetKey(key))).toMatchObject({ tenant: null, objective: null });
  });

  it('merges successes at most 60 s apart into runs, one row per UTC day', () => {
    // T0 is 23:58 UTC: successes at +0, +30, +60 (day 1) and +150, +180, +400 (day 2, 00:00:30 onwards).
    const rows = fold(registered, ...[0, 30, 60, 150, 180, 400].map(success));
    expect(rows.get(successRunsKey(key, '2026-03-01'))).toEqual({ kind: 'runs', key, day: '2026-03-01', runs: [[ms(0), ms(60)]] });
    expect(rows.get(successRunsKey(key, '2026-03-02'))).toEqual({
      kind: 'runs',
      key,
      day: '2026-03-02',
      runs: [
        [ms(150), ms(180)],
        [ms(400), ms(400)],
      ],
    });
  });

  it('merges a success delivered out of order where it belongs', () => {
    expect(addSuccess([[ms(0), ms(10)] as const, [ms(200), ms(200)] as const], ms(100))).toEqual([
      [ms(0), ms(10)],
      [ms(100), ms(100)],
      [ms(200), ms(200)],
    ]);
    expect(addSuccess([[ms(0), ms(10)] as const, [ms(100), ms(100)] as const], ms(50))).toEqual([[ms(0), ms(100)]]);
  });

  it('records the target’s pauses and the poll scheduler’s (ended by a resume or by their resumeAt), not the job worker’s', () => {
    const rows = fold(
      registered,
      ev('TargetPaused', { key, at: iso(100) }),
      ev('TargetResumed', { key, at: iso(200), nextPollAt: iso(200) }),
      ev('TargetPaused', { key, at: iso(300) }),
      ev('LoopPaused', { loop: 'poll-scheduler', reason: 'db', resumeAt: iso(1000), pausedBy: 'bob', at: iso(400) }),
      ev('LoopPaused', { loop: 'job-worker', reason: 'deploy', resumeAt: null, pausedBy: 'bob', at: iso(400) }),
    );
    expect(rows.get(freshnessTargetKey(key))).toMatchObject({
      pauses: [
        [ms(100), ms(200)],
        [ms(300), null],
      ],
    });
    expect(rows.get(SCHEDULER_KEY)).toEqual({ kind: 'scheduler', pauses: [[ms(400), ms(1000)]] });
    const resumedEarly = fold(
      ev('LoopPaused', { loop: 'poll-scheduler', reason: 'db', resumeAt: iso(1000), pausedBy: 'bob', at: iso(400) }),
      ev('LoopResumed', { loop: 'poll-scheduler', reason: 'back', resumedBy: 'bob', at: iso(500) }),
      ev('LoopResumed', { loop: 'poll-scheduler', reason: 'again', resumedBy: 'bob', at: iso(2000) }),
    );
    expect(resumedEarly.get(SCHEDULER_KEY)).toEqual({ kind: 'scheduler', pauses: [[ms(400), ms(500)]] });
  });

  it('deletes a day of runs 33 days later, and every row of a removed target', () => {
    const day = 86_400;
    const rows = fold(registered, success(0), success(3 * day));
    expect([...rows.keys()].filter((k) => k.startsWith('runs|'))).toEqual([successRunsKey(key, '2026-03-01'), successRunsKey(key, '2026-03-04')]);
    const later = fold(registered, success(0), success(3 * day), success(33 * day));
    expect([...later.keys()].filter((k) => k.startsWith('runs|'))).toEqual([successRunsKey(key, '2026-03-04'), successRunsKey(key, '2026-04-03')]);
    const removed = fold(registered, success(0), success(3 * day), ev('TargetRemoved', { key, at: iso(3 * day + 60) }));
    expect([...removed.keys()]).toEqual([]);
  });

  describe("a tenant's pauses of all its targets (TenantTargetsPaused) as paused spans per tenant", () => {
    const tenantEv = (type: string, data: Record<string, unknown>) => ({ ...ev(type, data), streamId: 'pause-tenant-targets-acme' });
    const paused = (at: number, resumeAt: number | null = null) =>
      tenantEv('TenantTargetsPaused', {
        scope: 'tenant-targets',
        subject: 'acme',
        tenant: 'acme',
        reason: 'r',
        resumeAt: resumeAt === null ? null : iso(resumeAt),
        pausedBy: 'alice',
        at: iso(at),
      });
    const resumed = (at: number) =>
      tenantEv('TenantTargetsResumed', { scope: 'tenant-targets', subject: 'acme', tenant: 'acme', reason: 'r', resumedBy: 'alice', auto: false, at: iso(at) });
    const row = (...events: RecordedEvent[]) => fold(...events).get(tenantPausesKey('acme'));

    it('opens a span at the pause (ending at its resumeAt when it has one) and closes it at the resume', () => {
      expect(row(paused(100))).toEqual({ kind: 'tenant-pauses', tenant: 'acme', pauses: [[ms(100), null]] });
      expect(row(paused(100), resumed(400))).toEqual({ kind: 'tenant-pauses', tenant: 'acme', pauses: [[ms(100), ms(400)]] });
      expect(row(paused(100, 900))).toEqual({ kind: 'tenant-pauses', tenant: 'acme', pauses: [[ms(100), ms(900)]] });
      expect(row(paused(100, 900), resumed(300), paused(600))).toEqual({
        kind: 'tenant-pauses',
        tenant: 'acme',
        pauses: [
          [ms(100), ms(300)],
          [ms(600), null],
        ],
      });
    });

    it('keeps no row for a resume without a pause', () => {
      expect(row(resumed(400))).toBeUndefined();
    });
  });

  describe('maintenance windows as excluded spans per tenant', () => {
    const tenant = 'acme';
    const scheduled = (at: number, startsAt: number, endsAt: number | null) =>
      ev('MaintenanceScheduled', {
        tenant,
        mode: 'read_only',
        banner: 'b',
        startsAt: iso(startsAt),
        endsAt: endsAt === null ? null : iso(endsAt),
        reason: 'upgrade',
        scheduledBy: 'alice',
        scheduledAt: iso(at),
      });
    const started = (startedAt: number, recordedAt: number) =>
      ev('MaintenanceStarted', { tenant, mode: 'read_only', banner: 'b', startedAt: iso(startedAt), endsAt: null, recordedAt: iso(recordedAt) });
    const ended = (startedAt: number, endedAt: number, cause: string, recordedAt = endedAt) =>
      ev('MaintenanceEnded', {
        tenant,
        mode: 'read_only',
        startedAt: iso(startedAt),
        endedAt: iso(endedAt),
        cause,
        reason: null,
        endedBy: null,
        recordedAt: iso(recordedAt),
      });
    const cancelled = (startsAt: number, at: number) =>
      ev('MaintenanceCancelled', { tenant, mode: 'read_only', startsAt: iso(startsAt), reason: 'postponed', cancelledBy: 'alice', cancelledAt: iso(at) });
    const row = (...events: RecordedEvent[]) => fold(...events).get(maintenanceKey(tenant));

    it('holds a scheduled window as [startsAt, endsAt) before it opens (the clock opens and closes it; MaintenanceStarted changes nothing)', () => {
      const r = row(scheduled(100, 600, 1800));
      expect(r).toEqual({ kind: 'maintenance', tenant, spans: [], window: [ms(600), ms(1800)] });
      expect(row(scheduled(100, 600, 1800), started(600, 640))).toEqual(r);
      expect(row(scheduled(100, 100, null))).toMatchObject({ window: [ms(100), null] }); // started at once, until ended
    });

    it('cuts the window where it ended: its endsAt (window_closed, recorded late), early, or when a later window replaced it', () => {
      expect(row(scheduled(100, 600, 1800), started(600, 640), ended(600, 1800, 'window_closed', 1830))).toEqual({
        kind: 'maintenance',
        tenant,
        spans: [[ms(600), ms(1800)]],
        window: null,
      });
      expect(row(scheduled(100, 600, null), ended(600, 1000, 'ended_early'))).toMatchObject({ spans: [[ms(600), ms(1000)]], window: null });
      // Open since 600, moved at 1000 to start at 1500: the open part stays, the new window waits.
      expect(row(scheduled(100, 600, 1800), ended(600, 1000, 'rescheduled'), scheduled(1000, 1500, 1800))).toMatchObject({
        spans: [[ms(600), ms(1000)]],
        window: [ms(1500), ms(1800)],
      });
      // Open since 600, replaced at 1000 by a window from now to 2400: two touching spans, one exclusion.
      const extended = row(scheduled(100, 600, 1200), scheduled(1000, 1000, 2400)) as MaintenanceSpansRow;
      expect(maintenanceSpans(extended)).toEqual([
        [ms(600), ms(1000)],
        [ms(1000), ms(2400)],
      ]);
    });

    it('leaves nothing of a window called off or moved before it opened', () => {
      expect(row(scheduled(100, 600, 1800), cancelled(600, 500))).toEqual({ kind: 'maintenance', tenant, spans: [], window: null });
      expect(row(scheduled(100, 600, 1800), scheduled(300, 900, 1500))).toEqual({ kind: 'maintenance', tenant, spans: [], window: [ms(900), ms(1500)] });
    });

    it('drops windows that ended more than 32 days before a later event of the tenant', () => {
      const day = DAY_MS / 1000;
      const r = row(
        scheduled(0, 0, 600),
        ended(0, 600, 'window_closed'),
        scheduled(33 * day, 33 * day + 100, null),
        ended(33 * day + 100, 33 * day + 200, 'ended_early'),
      );
      expect(r).toMatchObject({ spans: [[ms(33 * day + 100), ms(33 * day + 200)]] });
    });

    it('keeps each tenant apart, beside the target rows', () => {
      const other = ev('MaintenanceScheduled', { ...(scheduled(100, 600, 1800).data as Record<string, unknown>), tenant: 'globex' });
      const rows = fold(registered, scheduled(100, 600, 1800), other);
      expect([...rows.keys()].sort()).toEqual([freshnessTargetKey(key), maintenanceKey('acme'), maintenanceKey('globex')].sort());
      expect(rows.get(freshnessTargetKey(key))).toMatchObject({ pauses: [] });
    });
  });
});

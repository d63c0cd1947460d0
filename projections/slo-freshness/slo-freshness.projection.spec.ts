import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import type { FreshnessRow } from './freshness-rows';
import { freshnessTargetKey, SCHEDULER_KEY, sloFreshnessProjection, successRunsKey } from './slo-freshness.projection';
import { addSuccess } from './success-runs';

const T0 = Date.parse('2026-03-01T23:58:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const ms = (seconds: number) => T0 + seconds * 1000;
const key = 'svc::web';
const ev = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  type,
  data,
  eventId: `${type}-${String(data.at)}`,
  streamId: data.loop ? `loop-pause-${String(data.loop)}` : `target-${key}`,
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
});

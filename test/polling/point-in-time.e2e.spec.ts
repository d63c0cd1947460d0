import { Writable } from 'node:stream';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PointInTime } from '../../src/point-in-time/point-in-time.service';
import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';

const AS_OF = 'x-opsledger-as-of';
/** Fields of ops health that come from loop heartbeats (not events): derived at T, documented in docs/api.md, "Polling". */
const HEARTBEAT_FIELDS = (b: any) => ({ ...b, workers: null, loops: null, queue: { ...b.queue, locked: null } });

interface Moment {
  readonly label: string;
  readonly asOf: string;
  readonly sched: any;
  readonly ops: any;
}

describe('?at= on scheduler health and ops health: a scripted incident replayed moment by moment (real app, real HTTP target)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let store: PostgresEventStore;
  const logs: any[] = [];
  const moments: Moment[] = [];
  const count = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
  const types = async (key: string) =>
    (await t.db.pool.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY revision', [`target-${key}`])).rows.map((r) => r.type);
  const caughtUp = async () => {
    const head = await store.head();
    const st = await t.request('GET', '/api/projections');
    return ['targets', 'restore_drills'].every((n) => st.body.projections.find((p: any) => p.name === n)?.checkpoint === head?.checkpoint);
  };

  /**
   * Records the live bodies at a moment when the read models hold every event recorded up to
   * that instant: nothing is appended from before the requests until after them (else try again),
   * so "the body at T" is well defined and ?at=T must reproduce it.
   */
  const record = async (label: string) => {
    const moment = await waitFor(
      `a quiet moment to record "${label}"`,
      async () => {
        const c0 = await count();
        if (!(await caughtUp()) || (await count()) !== c0) return null;
        const sched = await t.request('GET', '/api/monitoring/scheduler/health');
        const ops = await t.request('GET', '/api/ops/health', { token: null });
        // An append in flight during the requests could commit with an earlier time: wait until every
        // transaction open now has ended, then nothing may have been appended since before the requests.
        const { rows } = await t.db.pool.query<{ snap: string }>('SELECT pg_current_snapshot()::text AS snap');
        await waitFor(
          'the transactions open at the requests to end',
          async () => {
            const open = await t.db.pool.query(`SELECT 1 FROM pg_snapshot_xip($1::pg_snapshot) x WHERE pg_xact_status(x) = 'in progress'`, [rows[0].snap]);
            return open.rowCount === 0;
          },
          10_000,
          10,
        );
        if ((await count()) !== c0) return null;
        expect([sched.status, ops.status]).toEqual([200, 200]);
        // Each body is replayed at its own instant (the X-Opsledger-As-Of header, milliseconds included).
        return { label, asOf: sched.headers.get(AS_OF)!, sched: sched.body, ops: { asOf: ops.headers.get(AS_OF)!, body: ops.body } };
      },
      20_000,
      10,
    );
    moments.push(moment);
  };

  beforeAll(async () => {
    s = await startFlakyServer();
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
        cb();
      },
    });
    t = await startTestApp(
      {
        ...FAST_POLLING_ENV,
        LOG_LEVEL: 'info',
        POLL_TIMEOUT_MS: '800',
        SCHEDULER_REPORT_MS: '1000',
        BREAKER_FAILURE_THRESHOLD: '2',
        // 2 s open each trip: recording "breaker open" may take a while on a loaded machine, and the
        // target must not reach its dead-letter streak (two half-open failures) before the probe hangs.
        BREAKER_OPEN_BASE_MS: '2000',
        BREAKER_OPEN_MAX_MS: '2000',
        DEAD_LETTER_STREAK: '4',
        DEAD_LETTER_RETRY_SCHEDULE: '600',
        PIT_SNAPSHOT_INTERVAL_MS: '3600000', // taken by hand below
      },
      undefined,
      { logDestination: sink },
    );
    store = new PostgresEventStore(t.db.pool);
    s.modes.set('flaky', 'ok');
    for (const [name, path, interval] of [
      ['steady', '/ok', 1],
      ['flaky', '/switch/flaky', 0.4],
    ] as const) {
      const res = await t.request('POST', '/api/targets', {
        body: { type: 'instance', name, probe: { kind: 'http', url: `${s.base}${path}` }, intervalSeconds: interval, adaptive: false },
      });
      expect(res.status).toBe(201);
    }
    expect(
      (
        await t.request('POST', '/api/ops/restore-drills', {
          body: { owner: 'alice', result: 'passed', performedAt: new Date(Date.now() - 86_400_000).toISOString() },
        })
      ).status,
    ).toBe(201);

    // The scripted incident, recorded moment by moment: the tests below replay and read it.
    await waitFor(
      'both polled ok',
      async () => (await types('instance::flaky')).includes('PollSucceeded') && (await types('instance::steady')).includes('PollSucceeded'),
    );
    await record('healthy');

    s.modes.set('flaky', '500');
    await waitFor('breaker open', async () => (await types('instance::flaky')).includes('BreakerOpened'));
    await record('breaker open');

    // A hanging probe keeps the half-open state visible for the probe timeout.
    s.modes.set('flaky', 'hang');
    await waitFor('half-open', async () => (await t.request('GET', '/api/targets/instance::flaky')).body.breaker.state === 'half_open');
    await record('half-open, probe in flight');

    // A snapshot mid-incident: later answers start from it and fold only what followed.
    await waitFor('snapshot', async () => (await t.app.get(PointInTime).snapshotNow()).includes('targets'));

    s.modes.set('flaky', '500');
    await waitFor('dead-lettered', async () => (await t.request('GET', '/api/targets/instance::flaky')).body.deadLetter.present === true);
    await record('dead-lettered');

    s.modes.set('flaky', 'ok');
    expect((await t.request('POST', '/api/targets/instance::flaky/redrive', { body: { reason: 'upstream fixed' } })).status).toBe(202);
    await waitFor('recovered', async () => {
      const b = (await t.request('GET', '/api/targets/instance::flaky')).body;
      return b.deadLetter.present === false && b.breaker.state === 'closed' && b.pollStatus.consecutiveFailures === 0;
    });
    await record('redriven and recovered');
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('records the live bodies through breaker open → half-open → dead-letter → redrive → recovery, then ?at= of each moment returns them', async () => {
    // The moments really differ, so the comparisons below can fail.
    expect(moments.map((m) => m.ops.body.status)).toEqual(['healthy', 'healthy', 'healthy', 'degraded', 'healthy']);
    expect(moments.map((m) => m.sched.instances.find((i: any) => i.instance === 'flaky').breaker.state)).toEqual([
      'closed',
      'open',
      'half_open',
      expect.stringMatching(/open/),
      'closed',
    ]);
    expect(moments[3].ops.body.issues).toEqual(['High disabled: 1/2 (50%)']);
    expect(moments[3].sched.deadLetter.count).toBe(1);

    for (const m of moments) {
      const sched = await t.request('GET', `/api/monitoring/scheduler/health?at=${encodeURIComponent(m.asOf)}`);
      expect({ moment: m.label, status: sched.status, body: sched.body }).toEqual({ moment: m.label, status: 200, body: m.sched });
      expect(sched.headers.get(AS_OF)).toBe(m.asOf);
      const ops = await t.request('GET', `/api/ops/health?at=${encodeURIComponent(m.ops.asOf)}`, { token: null });
      expect({ moment: m.label, status: ops.status, body: HEARTBEAT_FIELDS(ops.body) }).toEqual({
        moment: m.label,
        status: 200,
        body: HEARTBEAT_FIELDS(m.ops.body),
      });
      // The loop names are the same but for the heartbeat-only loops (no events: docs/operations.md); their states come from the log.
      const fromLog = (workers: object) =>
        Object.keys(workers).filter((l) => !['alert-evaluator', 'flag-expiry', 'maintenance-window', 'pause-expiry', 'webhook-dispatcher'].includes(l));
      expect(Object.keys(ops.body.workers)).toEqual(fromLog(m.ops.body.workers));
      expect(ops.body.restoreDrill).toEqual({ lastAt: expect.stringMatching(/Z$/), owner: 'alice', result: 'passed' });
    }
  });

  it('logs health_check.degraded once when ops health leaves healthy, and health_check.recovered once when it returns', () => {
    const lines = logs.filter((l) => typeof l.event === 'string' && l.event.startsWith('health_check.'));
    expect(lines.map((l) => [l.event, l.status])).toEqual([
      ['health_check.degraded', 'degraded'],
      ['health_check.recovered', 'healthy'],
    ]);
    expect(lines[0]).toMatchObject({ level: 40, issues: ['High disabled: 1/2 (50%)'] });
  });

  it('answers 400 naming `at` and the valid range for a time before the first event, in the future, or malformed', async () => {
    for (const p of ['/api/monitoring/scheduler/health', '/api/ops/health']) {
      for (const at of ['2000-01-01T00:00:00Z', new Date(Date.now() + 3_600_000).toISOString(), 'yesterday', '2026-13-45T99:00:00Z']) {
        const res = await t.request('GET', `${p}?at=${encodeURIComponent(at)}`);
        expect({ p, at, status: res.status }).toEqual({ p, at, status: 400 });
        expect(res.body.fields[0].field).toBe('at');
        expect(res.body.message).toMatch(/valid range: from \S+ \(the first event\) to now/);
      }
      expect((await t.request('GET', `${p}?at=2026-01-01T00:00:00Z&extra=1`)).status).toBe(400);
    }
  });
});

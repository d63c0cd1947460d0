import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { foldInMemory } from '../../projections/projection';
import { targetsProjection } from '../../projections/targets/targets.projection';
import type { TargetState } from '../../src/polling/target.state';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { SCHEDULER_HEALTH_EXAMPLE } from '../../src/health/scheduler-health.example';
import { schedulerHealthView } from '../../src/health/scheduler-health.view';
import { opsHealthView } from '../../src/health/ops-health.view';
import { startTestApp, TestApp } from '../support/test-app';
import { validate } from './json-schema';
import { schedulerHealthSchema } from './scheduler-health.schema';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';
import { READ_HORIZON } from '../../src/event-store/postgres/read-horizon.sql';

/** The documented "useful jq queries" for this endpoint, verbatim. */
const SEED_JQ = {
  recentErrors: '.instances[] | select(.pollStatus.lastError != null) | {key, lastError: .pollStatus.lastError}',
  deadLetter: '.instances[] | select(.deadLetter.present) | {key, reason: .deadLetter.reason, retryCount: .deadLetter.retryCount}',
  breakersNotClosed: '.instances[] | select(.breaker.state != "closed") | {key, breaker: .breaker}',
  stale: '.staleness[] | select(.score > 0.5)',
  failureStreak: '.instances[] | select(.pollStatus.consecutiveFailures > 0) | {key, failures: .pollStatus.consecutiveFailures}',
};

/** curl -s URL | jq -c QUERY, with the real binaries (async: the server runs in this process); one JSON value per line. */
async function curlJq(url: string, token: string, query: string): Promise<unknown[]> {
  const { stdout } = await promisify(execFile)(
    '/bin/bash',
    ['-o', 'pipefail', '-c', 'curl -sf -H "authorization: Bearer $TOKEN" "$URL" | /usr/bin/jq -c "$QUERY"'],
    {
      env: { ...process.env, TOKEN: token, URL: url, QUERY: query },
      encoding: 'utf8',
      timeout: 10_000,
    },
  ).catch((err) => {
    throw new Error(`${err.message}\nstdout: ${err.stdout}\nstderr: ${err.stderr}`);
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function healthOf(t: TestApp): Promise<any> {
  const res = await t.request('GET', '/api/monitoring/scheduler/health');
  expect(res.status).toBe(200);
  return res.body;
}

/** An app polling four targets until every rule has shown: a success, an open breaker, both dead-letter reasons. */
async function startScenario(): Promise<{ t: TestApp; s: FlakyServer }> {
  const s = await startFlakyServer();
  const t = await startTestApp({ ...FAST_POLLING_ENV, DEAD_LETTER_RETRY_SCHEDULE: '600' });
  const register = (type: string, name: string, path: string, extra: Record<string, unknown> = {}) =>
    t.request('POST', '/api/targets', { body: { type, name, displayName: `${name} display`, probe: { kind: 'http', url: `${s.base}${path}` }, ...extra } });
  for (const [type, name, path] of [
    ['pve', 'pve-a', '/ok'],
    ['pve', 'pve-b', '/500'],
    ['pbs', 'pbs-c', '/401'],
    ['pmg', 'pmg-d', '/badjson'],
  ]) {
    expect(
      (
        await register(
          type,
          name,
          path,
          path === '/badjson' ? { probe: { kind: 'http', url: `${s.base}${path}`, jsonCheck: { path: 'status', equals: 'ok' } } } : {},
        )
      ).status,
    ).toBe(201);
  }
  // Wait until every rule has shown in the read model: a success, an open breaker, both dead-letter reasons.
  await waitFor(
    'read model with every state',
    async () => {
      const b = await healthOf(t);
      const by = Object.fromEntries(b.instances.map((i: any) => [i.key, i]));
      return by['pve::pve-a']?.pollStatus.lastSuccess &&
        by['pve::pve-b']?.deadLetter.present &&
        by['pbs::pbs-c']?.deadLetter.present &&
        by['pmg::pmg-d']?.deadLetter.present
        ? b
        : null;
    },
    30_000,
  );
  return { t, s };
}

describe('GET /api/monitoring/scheduler/health', () => {
  let t: TestApp;
  let s: FlakyServer;
  const health = () => healthOf(t);

  beforeAll(async () => ({ t, s } = await startScenario()), 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('the schema accepts the documented example and rejects a body missing a field', () => {
    expect(validate(schedulerHealthSchema, SCHEDULER_HEALTH_EXAMPLE)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(SCHEDULER_HEALTH_EXAMPLE));
    delete broken.instances[0].breaker.retryAt;
    broken.queue.extra = 1;
    expect(validate(schedulerHealthSchema, broken)).toEqual(
      expect.arrayContaining(['$.instances[0].breaker: missing retryAt', '$.queue: unexpected property extra']),
    );
  });

  it('the live response matches the schema and says what happened', async () => {
    const b = await health();
    expect(validate(schedulerHealthSchema, b)).toEqual([]);
    expect(b.enabled).toBe(true);
    expect(b.queue.depth).toBe(4);
    expect(b.queue.perType).toEqual({ pve: 2, pbs: 1, pmg: 1 });
    expect(b.deadLetter.count).toBe(3);
    expect(b.deadLetter.tasks.map((x: any) => x.instance).sort()).toEqual(['pbs-c', 'pmg-d', 'pve-b']);
    const by = Object.fromEntries(b.instances.map((i: any) => [i.key, i]));
    expect(by['pbs::pbs-c'].deadLetter).toMatchObject({ present: true, reason: 'permanent_failure', retryCount: 0 });
    expect(by['pbs::pbs-c'].pollStatus.lastError).toMatchObject({ message: '401 unauthorized', category: 'permanent' });
    expect(by['pve::pve-b'].deadLetter).toMatchObject({ present: true, reason: 'max_retry_attempts' });
    expect(by['pve::pve-b'].breaker.state).not.toBe('closed');
    expect(by['pmg::pmg-d'].pollStatus.lastError.message).toMatch(/not JSON/);
    expect(by['pve::pve-a']).toMatchObject({
      displayName: 'pve-a display',
      instance: 'pve-a',
      connection: `${s.base}/ok`,
      deadLetter: { present: false },
      breaker: { state: 'closed' },
    });
    // dueWithinSeconds (12 s): pve-a polls every ≤ 2 s; the dead-lettered ones retry in 600 s.
    expect(b.queue.dueWithinSeconds).toBe(1);
  });

  it('every documented jq query works unchanged against the live server (curl | jq)', async () => {
    const url = `${t.url}/api/monitoring/scheduler/health`;
    const recent = (await curlJq(url, t.adminToken, SEED_JQ.recentErrors)) as any[];
    expect(recent.map((r) => r.key).sort()).toEqual(['pbs::pbs-c', 'pmg::pmg-d', 'pve::pve-b']);
    expect(recent[0].lastError).toEqual({ at: expect.any(String), message: expect.any(String), category: expect.stringMatching(/^(transient|permanent)$/) });
    expect(await curlJq(url, t.adminToken, SEED_JQ.deadLetter)).toEqual(
      expect.arrayContaining([
        { key: 'pbs::pbs-c', reason: 'permanent_failure', retryCount: 0 },
        { key: 'pve::pve-b', reason: 'max_retry_attempts', retryCount: 0 },
      ]),
    );
    const notClosed = (await curlJq(url, t.adminToken, SEED_JQ.breakersNotClosed)) as any[];
    expect(notClosed.map((r) => r.key)).toContain('pve::pve-b');
    expect(notClosed.find((r) => r.key === 'pve::pve-b').breaker).toMatchObject({ state: expect.stringMatching(/open/), failureCount: expect.any(Number) });
    const stale = (await curlJq(url, t.adminToken, SEED_JQ.stale)) as any[];
    // Never succeeded: score 1. pve-a succeeded, but its adaptive interval grows toward
    // POLL_MAX_INTERVAL_SECONDS, so just before its next poll it may be stale too (score > 0.5).
    expect(
      stale
        .filter((r) => r.lastSuccess === null)
        .map((r) => r.instance)
        .sort(),
    ).toEqual(['pbs-c', 'pmg-d', 'pve-b']);
    expect(stale.every((r) => (r.lastSuccess === null ? r.score === 1 : r.instance === 'pve-a'))).toBe(true);
    expect(stale.every((r) => r.score > 0.5)).toBe(true);
    const streak = (await curlJq(url, t.adminToken, SEED_JQ.failureStreak)) as any[];
    expect(streak.map((r) => r.key).sort()).toEqual(['pbs::pbs-c', 'pmg::pmg-d', 'pve::pve-b']);
    expect(streak.find((r) => r.key === 'pve::pve-b').failures).toBeGreaterThanOrEqual(5);
  });

  it('with adaptive polling disabled the arrays are empty (as documented)', () => {
    const rows = [] as TargetState[];
    const b = schedulerHealthView(rows, new Date(), { adaptiveEnabled: false, maxIntervalMs: 1000, dueWindowSeconds: 12 });
    expect(b).toMatchObject({ enabled: false, breakers: [], staleness: [], instances: [] });
  });
});

// Its own app: it pauses every target, which the tests above must not see.
describe('GET /api/monitoring/scheduler/health across a rebuild', () => {
  let t: TestApp;
  let s: FlakyServer;
  const health = () => healthOf(t);

  beforeAll(async () => ({ t, s } = await startScenario()), 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('after a projection rebuild both endpoints return the same bodies', async () => {
    // Freeze the targets so nothing changes while we compare.
    for (const key of ['pve::pve-a', 'pve::pve-b', 'pbs::pbs-c', 'pmg::pmg-d'])
      expect((await t.request('PATCH', `/api/targets/${key}`, { body: { paused: true } })).status).toBe(200);
    const store = new PostgresEventStore(t.db.pool);
    const caughtUp = async () => {
      // Every committed event readable (none held back behind an in-flight transaction), and applied.
      const hidden = await t.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE transaction_id >= ${READ_HORIZON}`);
      if (hidden.rows[0].n > 0) return null;
      const head = await store.head();
      const st = await t.request('GET', '/api/projections');
      const p = st.body.projections.find((x: any) => x.name === 'targets');
      return p && p.state === 'live' && p.lag.events === 0 && head && p.checkpoint === head.checkpoint ? p : null;
    };
    await waitFor('targets projection caught up', caughtUp);
    const normalize = (b: any) => ({
      ...b,
      updatedAt: null,
      checkedAt: null,
      loops: null,
      workers: null,
      staleness: b.staleness?.map((x: any) => ({ ...x, score: null })),
    });
    const before = { sched: normalize(await health()), ops: normalize((await t.request('GET', '/api/ops/health')).body) };
    const liveRows = (await t.db.pool.query('SELECT doc FROM rm_targets ORDER BY key')).rows.map((r) => r.doc);

    const res = await t.request('POST', '/api/projections/targets/rebuild', { body: { reason: 'rebuild equality test' } });
    expect(res.status).toBe(202);
    await waitFor(
      'rebuild done',
      async () => {
        const p = await caughtUp();
        return p && p.rebuiltAt && !p.rebuild ? p : null;
      },
      30_000,
    );
    const after = { sched: normalize(await health()), ops: normalize((await t.request('GET', '/api/ops/health')).body) };
    expect(after).toEqual(before);

    // Same answer, to the byte, at a fixed instant: the rebuilt rows and an in-memory fold of the whole log.
    const rebuiltRows = (await t.db.pool.query('SELECT doc FROM rm_targets ORDER BY key')).rows.map((r) => r.doc);
    const all = [];
    for (let batch = await store.readAll(null, 1000); batch.length; batch = await store.readAll(batch[batch.length - 1].checkpoint, 1000)) all.push(...batch);
    const folded = [...foldInMemory(targetsProjection, all).values()];
    const at = new Date();
    const cfg = { adaptiveEnabled: true, maxIntervalMs: 2000, dueWindowSeconds: 12 };
    const opsCfg = { staleFactor: 2.5, disabledThreshold: 0.1, stuckAfterMs: 60_000, stuckMinReady: 1, quietHours: null, quietHoursTz: 'UTC' };
    expect(JSON.stringify(schedulerHealthView(rebuiltRows, at, cfg))).toBe(JSON.stringify(schedulerHealthView(liveRows, at, cfg)));
    expect(JSON.stringify(schedulerHealthView(folded, at, cfg))).toBe(JSON.stringify(schedulerHealthView(liveRows, at, cfg)));
    expect(JSON.stringify(opsHealthView(folded, [], at, opsCfg))).toBe(JSON.stringify(opsHealthView(liveRows, [], at, opsCfg)));
  });
});

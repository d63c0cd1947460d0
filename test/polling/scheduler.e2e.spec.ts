import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';
import { waitForStream } from '../support/wait-for-events';

interface Row {
  type: string;
  data: any;
  metadata: any;
}

describe('poll scheduler: breakers, dead-letter, retries and operator actions (real app, real HTTP targets)', () => {
  let t: TestApp;
  let s: FlakyServer;
  const events = async (key: string): Promise<Row[]> =>
    (await t.db.pool.query<Row>('SELECT type, data, metadata FROM events WHERE stream_id = $1 ORDER BY revision', [`target-${key}`])).rows;
  const register = async (name: string, path: string, extra: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/targets', {
      body: { type: 'instance', name, probe: { kind: 'http', url: `${s.base}${path}` }, intervalSeconds: 0.2, adaptive: false, ...extra },
    });
    expect(res.status).toBe(201);
    return `instance::${name}`;
  };
  const until = (key: string, what: (types: string[]) => boolean, label: string, timeoutMs = 15_000) =>
    waitForStream(t.db.pool, `target-${key}`, label, what, timeoutMs);
  const count = (types: string[], type: string) => types.filter((x) => x === type).length;

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, DEAD_LETTER_STREAK: '6' });
  });
  afterAll(async () => {
    await t.close();
    await s.close();
  });

  it('opens the breaker after the threshold, half-opens after a doubling open time, dead-letters after the streak, retries on the schedule', async () => {
    const key = await register('always-500', '/500');
    await until(key, (ts) => count(ts, 'DeadLetterRetryFailed') >= 2, 'two failed dead-letter retries');
    const evs = (await events(key)).filter((e) => e.type !== 'PollSkipped');
    const seq = evs.map((e) => e.type);
    // closed → open after 3 failures; each half-open probe fails and reopens; the 6th failure dead-letters.
    expect(seq.slice(0, 13)).toEqual([
      'TargetRegistered',
      'PollFailed',
      'PollFailed',
      'PollFailed',
      'BreakerOpened',
      'BreakerHalfOpened',
      'PollFailed',
      'BreakerOpened',
      'BreakerHalfOpened',
      'PollFailed',
      'BreakerOpened',
      'BreakerHalfOpened',
      'PollFailed',
    ]);
    const opened = evs.filter((e) => e.type === 'BreakerOpened').map((e) => Date.parse(e.data.retryAt) - Date.parse(e.data.since));
    expect(opened.slice(0, 3)).toEqual([300, 600, 1200]);
    const failed = evs.filter((e) => e.type === 'PollFailed');
    expect(failed[0].data).toMatchObject({
      failureKind: 'http_5xx',
      category: 'transient',
      statusCode: 500,
      message: '500 internal server error',
      consecutiveFailures: 1,
    });
    expect(failed[0].data.interval).toMatchObject({ mode: 'fixed', chosenMs: 200 });
    const dl = evs.find((e) => e.type === 'TargetDeadLettered')!;
    expect(dl.data).toMatchObject({ reason: 'max_retry_attempts', retryCount: 0 });
    expect(dl.data.firstAttempt).toBe(failed[0].data.at);
    expect(Date.parse(dl.data.nextRetry) - Date.parse(dl.data.at)).toBe(600);
    const retries = evs.filter((e) => e.type === 'DeadLetterRetryFailed');
    expect(retries.map((e) => e.data.retryCount)).toEqual([1, 2].slice(0, retries.length));
    expect(retries.map((e) => Date.parse(e.data.nextRetry) - Date.parse(e.data.at))).toEqual([1200, 1200].slice(0, retries.length));
    // The retry came no earlier than scheduled.
    const firstRetry = failed[6];
    expect(Date.parse(firstRetry.data.at)).toBeGreaterThanOrEqual(Date.parse(dl.data.nextRetry));
    expect(firstRetry.data.trigger).toBe('dead_letter_retry');
  });

  it('half_open → closed on success, and the failure streak resets', async () => {
    s.modes.set('flap', '500');
    const key = await register('flap', '/switch/flap');
    await until(key, (ts) => ts.includes('BreakerOpened'), 'breaker open');
    s.modes.set('flap', 'ok');
    const ts = await until(key, (x) => x.includes('BreakerClosed'), 'breaker closed');
    const i = ts.indexOf('BreakerClosed');
    expect(ts.slice(i - 2, i + 1)).toEqual(['BreakerHalfOpened', 'PollSucceeded', 'BreakerClosed']);
    expect(ts).not.toContain('TargetDeadLettered');
    const view = await waitFor('read model', async () => {
      const r = await t.request('GET', `/api/targets/${key}`);
      return r.status === 200 && r.body.breaker.state === 'closed' && r.body.pollStatus.lastSuccess ? r.body : null;
    });
    expect(view.pollStatus).toMatchObject({ consecutiveFailures: 0, firstFailureAt: null });
    expect(view.breaker).toMatchObject({ failureCount: 0 });
  });

  it('a permanent failure (401) dead-letters at once; redrive needs a reason, is audited, and a success keeps it out', async () => {
    s.modes.set('auth', '401');
    const key = await register('auth', '/switch/auth');
    const ts = await until(key, (x) => x.includes('TargetDeadLettered'), 'dead-lettered');
    expect(ts.slice(0, 3)).toEqual(['TargetRegistered', 'PollFailed', 'TargetDeadLettered']);
    expect((await events(key))[2].data).toMatchObject({ reason: 'permanent_failure' });

    // What a redrive could append: an audit entry, or events on the target's stream other than the
    // scheduler's own (which name the polling instance). The app's other targets keep polling.
    const operatorWrites = async () =>
      (
        await t.db.pool.query(
          `SELECT count(*)::int AS n FROM events WHERE type = 'OperatorActionRecorded' OR (stream_id = $1 AND NOT metadata ? 'instanceId')`,
          [`target-${key}`],
        )
      ).rows[0].n;
    const before = await operatorWrites();
    const noReason = await t.request('POST', `/api/targets/${key}/redrive`, { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields.map((f: any) => f.field)).toContain('reason');
    const unknownField = await t.request('POST', `/api/targets/${key}/redrive`, { body: { reason: 'x', force: true } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.fields).toEqual([{ field: 'force', problem: 'is not a known field' }]);
    expect(await operatorWrites()).toBe(before);

    s.modes.set('auth', 'ok');
    const res = await t.request('POST', `/api/targets/${key}/redrive`, { body: { reason: 'credentials rotated' } });
    expect(res.status).toBe(202);
    const after = await until(key, (x) => x.lastIndexOf('PollSucceeded') > x.indexOf('TargetRedriven'), 'probe after redrive');
    expect(after.slice(after.indexOf('TargetRedriven') + 1)).not.toContain('TargetDeadLettered');
    const evs = await events(key);
    const redriven = evs.find((e) => e.type === 'TargetRedriven')!;
    const audit = (await t.db.pool.query('SELECT event_id, data FROM events WHERE event_id = $1', [redriven.metadata.causationId])).rows[0];
    expect(audit.data).toMatchObject({ action: 'target.redrive', target: `target:${key}`, reason: 'credentials rotated' });
    expect(evs.find((e, i) => i > evs.indexOf(redriven) && e.type === 'PollSucceeded')!.data.trigger).toBe('requested');
    // Not dead-lettered any more: a second redrive is a conflict and appends nothing.
    const again = await t.request('POST', `/api/targets/${key}/redrive`, { body: { reason: 'again' } });
    expect(again.status).toBe(409);
  });

  it('a dead-lettered target that answers again on its scheduled retry leaves the dead-letter set', async () => {
    s.modes.set('back', '500');
    const key = await register('back', '/switch/back');
    await until(key, (x) => x.includes('TargetDeadLettered'), 'dead-lettered');
    s.modes.set('back', 'ok');
    const ts = await until(key, (x) => x.includes('TargetRecovered'), 'recovered');
    expect(ts.slice(-4)).toEqual(expect.arrayContaining(['PollSucceeded', 'TargetRecovered']));
  });

  it('reset-breaker closes an open breaker by hand and probes at once', async () => {
    s.modes.set('reset', '500');
    const key = await register('reset', '/switch/reset', { intervalSeconds: 30 });
    // A 30 s interval: the first poll fails, poll-now drives the next failures until the breaker opens.
    await until(key, (x) => count(x, 'PollFailed') === 1, 'first failure');
    for (let i = 1; i < 3; i++) {
      await t.request('POST', `/api/targets/${key}/poll-now`, { body: { reason: 'drive the breaker' } });
      await until(key, (x) => count(x, 'PollFailed') > i, 'failure');
    }
    await until(key, (x) => x.includes('BreakerOpened'), 'breaker open');
    s.modes.set('reset', 'ok');
    const res = await t.request('POST', `/api/targets/${key}/reset-breaker`, { body: { reason: 'upstream fixed' } });
    expect(res.status).toBe(202);
    const ts = await until(key, (x) => x.lastIndexOf('PollSucceeded') > x.indexOf('BreakerReset'), 'probe after reset');
    expect(ts.slice(ts.indexOf('BreakerReset'))).not.toContain('BreakerHalfOpened');
  });

  it('poll-now probes at once; a paused target is not polled and poll-now on it is a conflict', async () => {
    const key = await register('slow', '/ok', { intervalSeconds: 3600 });
    await until(key, (x) => x.includes('PollSucceeded'), 'first poll');
    const res = await t.request('POST', `/api/targets/${key}/poll-now`, { body: { reason: 'check now' } });
    expect(res.status).toBe(202);
    await until(key, (x) => count(x, 'PollSucceeded') === 2, 'second poll', 5000);
    const last = (await events(key)).filter((e) => e.type === 'PollSucceeded')[1];
    expect(last.data.trigger).toBe('requested');

    const paused = await t.request('PATCH', `/api/targets/${key}`, { body: { paused: true, reason: 'maintenance' } });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect((await t.request('POST', `/api/targets/${key}/poll-now`, { body: { reason: 'x' } })).status).toBe(409);
  });

  it('a probe hanging past the timeout is recorded as http_timeout with its duration', async () => {
    const key = await register('hang', '/hang');
    await until(key, (x) => x.includes('PollFailed'), 'timeout');
    const f = (await events(key)).find((e) => e.type === 'PollFailed')!;
    expect(f.data).toMatchObject({ failureKind: 'http_timeout', category: 'transient', statusCode: null });
    expect(f.data.durationMs).toBeGreaterThanOrEqual(290);
  });
});

import { Writable } from 'node:stream';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { verifyTestChain } from '../support/audit-chain';

class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  lines(): Record<string, any>[] {
    return this.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  }
}

/** The effect events each target action causes. */
const EFFECT: Record<string, string> = {
  'target.poll_now': 'PollRequested',
  'target.reset_breaker': 'BreakerReset',
  'target.redrive': 'TargetRedriven',
  'target.pause': 'TargetPaused',
  'target.resume': 'TargetResumed',
};

/**
 * 50 operator actions on one target at once, while the scheduler polls it every 0.2 s (so its
 * poll outcomes race the actions for the stream): no answer is a 5xx, every audit entry has its
 * effect events (causationId = the entry), no entry exists without them, no effect without an
 * entry, and each refused attempt (409) is a log line with outcome `rejected`, never an entry.
 */
describe('audit: concurrent operator actions on one target', () => {
  const log = new MemoryLog();
  let t: TestApp;
  let s: FlakyServer;
  const key = 'instance::race-1';

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, LOG_LEVEL: 'info' }, undefined, { logDestination: log });
    const reg = await t.request('POST', '/api/targets', {
      body: { type: 'instance', name: 'race-1', probe: { kind: 'http', url: `${s.base}/ok` }, reason: 'setup' },
    });
    expect(reg.status).toBe(201);
    // The scheduler is polling it: outcomes are being appended to the stream.
    await waitFor(
      'polled',
      async () => (await t.db.pool.query(`SELECT 1 FROM events WHERE stream_id = $1 AND type = 'PollSucceeded'`, [`target-${key}`])).rowCount,
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('50 mixed actions: no 5xx; entries and effects one-to-one; refusals only in the log', async () => {
    const kinds = ['poll-now', 'reset-breaker', 'redrive', 'pause', 'resume'] as const;
    const calls = Array.from({ length: 50 }, (_, i) => {
      const kind = kinds[i % kinds.length];
      const reason = `race ${i} ${kind}`;
      const req =
        kind === 'pause' || kind === 'resume'
          ? t.request('PATCH', `/api/targets/${key}`, { body: { paused: kind === 'pause', reason } })
          : t.request('POST', `/api/targets/${key}/${kind}`, { body: { reason } });
      return req.then((res) => ({ kind, reason, res }));
    });
    const done = await Promise.all(calls);
    const statuses = done.map((d) => d.res.status);
    expect(statuses.filter((x) => x >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((x) => [200, 202, 409].includes(x))));

    const entries = (
      await t.db.pool.query(
        `SELECT event_id, data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'target' = $1 AND data->>'reason' LIKE 'race %'`,
        [`target:${key}`],
      )
    ).rows;
    const stream = (await t.db.pool.query(`SELECT type, metadata FROM events WHERE stream_id = $1 ORDER BY revision`, [`target-${key}`])).rows;
    const causedBy = new Map<string, string[]>();
    for (const e of stream) if (e.metadata.causationId) causedBy.set(e.metadata.causationId, [...(causedBy.get(e.metadata.causationId) ?? []), e.type]);

    // Every entry: applied, with exactly the effect its action names.
    for (const entry of entries) {
      expect(entry.data.outcome).toBe('applied');
      expect(causedBy.get(entry.event_id)).toEqual([EFFECT[entry.data.action]]);
    }
    // Every operator effect on the stream is caused by one of these entries (or by the registration's).
    const entryIds = new Set(entries.map((e) => e.event_id));
    const registration = (await t.db.pool.query(`SELECT event_id FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'target.register'`))
      .rows[0].event_id;
    expect([...causedBy.keys()].filter((id) => id !== registration && !entryIds.has(id))).toEqual([]);

    // One entry per answered change, one rejected log line per 409, by reason.
    const byReason = new Map(entries.map((e) => [e.data.reason, e]));
    const rejectedLines = log.lines().filter((l) => l.outcome === 'rejected' && typeof l.reason === 'string' && l.reason.startsWith('race '));
    for (const { kind, reason, res } of done) {
      if (res.status === 409) {
        expect(byReason.has(reason)).toBe(false);
        expect(rejectedLines.filter((l) => l.reason === reason)).toEqual([
          expect.objectContaining({ status: 409, event: expect.stringMatching(/^audit\.target\./), target: `target:${key}` }),
        ]);
      } else if (kind === 'poll-now' || kind === 'reset-breaker') {
        expect(byReason.get(reason)?.data.action).toBe(kind === 'poll-now' ? 'target.poll_now' : 'target.reset_breaker');
      }
      // A pause or resume answers 200 either way; it has an entry only if it changed something (checked above).
    }
    expect(rejectedLines.length).toBe(statuses.filter((x) => x === 409).length);
    // Not one of the redrives applied (the target is healthy): refused, and nothing recorded.
    expect(done.filter((d) => d.kind === 'redrive').every((d) => d.res.status === 409)).toBe(true);
    expect((await verifyTestChain(t.db.pool)).ok).toBe(true);
  }, 60_000);
});

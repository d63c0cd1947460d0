import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { scrubV1Message } from '../../src/polling/events/poll-failed.upcaster';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

const interval = {
  mode: 'fixed',
  baseMs: 10_000,
  minMs: 5_000,
  maxMs: 300_000,
  stalenessScore: 1,
  recentErrors: 1,
  previousMs: 10_000,
  rawMs: 10_000,
  smoothedMs: 10_000,
  jitter: 1,
  factor: 1,
  chosenMs: 10_000,
};
const LEAK = /akia|wjalr|root:x|reason-phrase|5432/i;

/** Messages as the http probe wrote them before the egress policy (PollFailed v1), with what they leaked. */
const OLD: ReadonlyArray<[string, { failureKind: string; statusCode: number | null; message: string }, string]> = [
  [
    'a JSON check',
    {
      failureKind: 'parse_error',
      statusCode: 200,
      message: 'json check failed: . = {"Code":"Success","AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI"}, expected "ok"',
    },
    'json check failed: . is not "ok"',
  ],
  [
    'a body that is not JSON',
    { failureKind: 'parse_error', statusCode: 200, message: 'response is not JSON: root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sb' },
    'response is not JSON',
  ],
  ["the server's reason phrase", { failureKind: 'http_5xx', statusCode: 500, message: '500 akia-in-the-reason-phrase' }, '500 internal server error'],
  [
    'a connection error',
    { failureKind: 'network_error', statusCode: null, message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432' },
    'connection refused',
  ],
];

describe('PollFailed messages recorded before the egress policy are read without what they leaked', () => {
  it.each(OLD)('%s', (_what, data, expected) => {
    expect(scrubV1Message(data)).toBe(expected);
    expect(scrubV1Message({ ...data, message: expected })).toBe(expected); // v2 messages pass unchanged
  });

  describe('through the API', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp({ POLL_SCHEDULER_ENABLED: 'false' })));
    afterAll(async () => t.close());

    it('the target API, scheduler health and the timeline show the cut-down message; the log row is untouched', async () => {
      const store = new PostgresEventStore(t.db.pool);
      const keys: string[] = [];
      for (const [i, [, old]] of OLD.entries()) {
        const res = await t.request('POST', '/api/targets', { body: { type: 'old', name: `n${i}`, probe: { kind: 'http', url: `http://10.0.0.${i + 1}/` } } });
        expect(res.status).toBe(201);
        keys.push(res.body.key);
        const at = new Date().toISOString();
        await store.append(
          `target-${res.body.key}`,
          [
            {
              type: 'PollFailed',
              data: {
                key: res.body.key,
                at,
                durationMs: 5,
                statusCode: old.statusCode,
                trigger: 'schedule',
                dueAt: at,
                interval,
                nextPollAt: at,
                failureKind: old.failureKind,
                category: 'transient',
                message: old.message,
                consecutiveFailures: 1,
              },
            },
          ],
          'any',
        );
      }
      await waitForProjections(t);
      for (const [i, key] of keys.entries()) {
        const view = await t.request('GET', `/api/targets/${key}`);
        expect(view.body.pollStatus.lastError.message).toBe(OLD[i][2]);
      }
      const now = Date.now();
      for (const path of [
        '/api/monitoring/scheduler/health',
        '/api/targets',
        `/api/timeline?from=${new Date(now - 60_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}&types=PollFailed`,
      ]) {
        const res = await t.request('GET', path);
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).not.toMatch(LEAK);
      }
      // Every reader of the log (projections, timeline, what-if) sees v2.
      for (const [i, key] of keys.entries()) {
        const [polled] = (await store.readStream(`target-${key}`)).filter((e) => e.type === 'PollFailed');
        expect([polled.schemaVersion, (polled.data as { message: string }).message]).toEqual([2, OLD[i][2]]);
      }
      // Append-only: the stored row keeps what was written.
      const raw = await t.db.pool.query<{ data: string }>(`SELECT data::text AS data FROM events WHERE type = 'PollFailed'`);
      expect(raw.rows.some((r) => LEAK.test(r.data))).toBe(true);
    });
  });
});

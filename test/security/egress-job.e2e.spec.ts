import { runtimeOn, streamTypes } from '../jobs/harness';
import { waitForStream } from '../support/wait-for-events';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testEgress } from '../support/test-egress';
import { CountingServer, startCountingServer } from './support';

/** http job handlers go through the egress policy like probes do. */
describe('http job handler and the egress policy', () => {
  let db: TestDatabase;
  let s: CountingServer;
  // Each test counts what reached its own server.
  beforeAll(async () => (db = await createTestDatabase(4)));
  afterAll(async () => db.drop());
  beforeEach(async () => (s = await startCountingServer()));
  afterEach(async () => s.close());

  const eventOf = async (runId: string, type: string) =>
    (await db.pool.query(`SELECT data FROM events WHERE stream_id = $1 AND type = $2`, [`job-${runId}`, type])).rows[0]?.data;

  it('a refused URL fails the run with errorKind blocked_by_policy and dead-letters it at once; nothing is sent', async () => {
    const p = runtimeOn(db.url, { egress: testEgress({ allow: '' }) });
    p.catalog.define({ name: 'call-loopback', maxAttempts: 3, handler: { kind: 'http', url: `${s.base}/credentials` } });
    p.catalog.define({ name: 'call-localhost', maxAttempts: 3, handler: { kind: 'http', method: 'GET', url: `http://localhost:${s.port}/ok` } });
    await p.reconcile();
    const [a] = await p.enqueueMany('call-loopback', 1);
    const [b] = await p.enqueueMany('call-localhost', 1);
    const worker = p.newWorker({ mode: 'worker', version: 'test' });
    await worker.start();
    try {
      for (const [runId, host] of [
        [a, '127.0.0.1'],
        [b, 'localhost'],
      ]) {
        await waitForStream(p.pool, `job-${runId}`, 'dead-lettered', (types) => types.includes('RunDeadLettered'));
        // Three attempts allowed, one made: a refusal does not fix itself.
        expect(await streamTypes(p.pool, runId)).toEqual(['RunEnqueued', 'RunClaimed', 'RunFailed', 'RunDeadLettered']);
        expect(await eventOf(runId, 'RunFailed')).toMatchObject({
          errorKind: 'blocked_by_policy',
          error: `blocked_by_policy: egress policy refused ${host}:${s.port} (loopback)`,
          exitCode: null,
          logTail: '',
        });
        expect(await eventOf(runId, 'RunDeadLettered')).toMatchObject({ reason: 'blocked_by_policy', attempts: 1 });
      }
      expect(s.total()).toBe(0);
    } finally {
      await worker.stop(2000);
      await p.close();
    }
  });

  it("an opened URL runs as before; the response body is the log tail (the URL is the installation's own, from the config file)", async () => {
    const p = runtimeOn(db.url, { egress: testEgress({ allow: `127.0.0.1:${s.port}` }) });
    p.catalog.define({ name: 'call-opened', handler: { kind: 'http', method: 'GET', url: `${s.base}/ok` } });
    await p.reconcile();
    const [run] = await p.enqueueMany('call-opened', 1);
    const worker = p.newWorker({ mode: 'worker', version: 'test' });
    await worker.start();
    try {
      await waitForStream(p.pool, `job-${run}`, 'succeeded', (types) => types.includes('RunSucceeded'));
      expect(await eventOf(run, 'RunSucceeded')).toMatchObject({ exitCode: 200, error: null, logTail: '{"status":"ok"}' });
      expect(s.hits.get('/ok')).toBe(1);
    } finally {
      await worker.stop(2000);
      await p.close();
    }
  });
});

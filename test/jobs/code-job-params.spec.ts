import { validateRunParams } from '../../src/jobs/validate-params';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { runtimeOn, TestRuntime } from './harness';

describe('run parameters of a code job', () => {
  let db: TestDatabase;
  let p: TestRuntime;
  const received: Record<string, unknown>[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(2);
    p = runtimeOn(db.url);
    p.catalog.define({ name: 'rollup', params: ['tenant', 'dryRun', 'timeRange'], handler: { kind: 'code' } }, async (params) => void received.push(params));
    await p.reconcile();
  });
  afterAll(async () => {
    await p.close();
    await db.drop();
  });

  it("are the handler's argument object, as checked at run-now", async () => {
    const params = validateRunParams(p.catalog.get('rollup')!, { tenant: 'acme', dryRun: true, from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' });
    const worker = p.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await worker.start();
    try {
      await p.enqueueMany('rollup', 1, params);
      await waitFor('the handler ran', () => received.length === 1);
      expect(received[0]).toEqual({ tenant: 'acme', dryRun: true, from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' });
    } finally {
      await worker.stop(1000);
    }
  });
});

import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { readEvents } from '../support/wait-for-events';
import { waitFor } from '../support/wait-for';
import { Receiver, startReceiver } from './receiver';

const ENV = {
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE_MS: '100,100,100',
  WEBHOOK_TIMEOUT_MS: '60000',
  WEBHOOK_MAX_CONCURRENCY: '2',
  POLL_SCHEDULER_ENABLED: 'false',
  ALERT_EVAL_MS: '86400000',
};

/**
 * A process stops with deliveries in flight and events not yet read; the next one resumes from
 * the checkpoint: every event is delivered to the subscription once, none twice, the cut-off
 * attempts are made again under the same webhook-id, and never more than the concurrency limit
 * are in flight at once.
 */
describe('webhook delivery across a restart', () => {
  let db: TestDatabase;
  let r: Receiver;
  let a: TestApp | null = null;
  let b: TestApp | null = null;

  beforeAll(async () => {
    db = await createTestDatabase(30);
    r = await startReceiver();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await r?.close();
    await db?.drop();
  });

  it('resumes without duplicates or losses', async () => {
    const register = async (t: TestApp, name: string) =>
      expect(
        (await t.request('POST', '/api/targets', { body: { type: 'svc', name, probe: { kind: 'http', url: `${r.base}/probe` }, reason: 'restart test' } }))
          .status,
      ).toBe(201);
    r.script('/hook', 'hang');
    a = await startTestApp(ENV, db);
    const sub = await a.request('POST', '/api/webhooks/subscriptions', {
      body: { url: `${r.base}/hook`, eventTypes: ['TargetRegistered'], reason: 'restart test' },
    });
    expect(sub.status).toBe(201);
    for (let i = 1; i <= 3; i++) await register(a, `before-${i}`);
    // Two in flight (the limit), hanging; the third waits its turn.
    await waitFor('two deliveries in flight', () => r.received.filter((q) => q.path === '/hook').length === 2);
    // The dispatcher stops (in-flight attempts cut off, nothing recorded); events keep coming.
    await a.app.get(WebhookDispatcher).beforeApplicationShutdown();
    for (let i = 1; i <= 2; i++) await register(a, `while-down-${i}`);
    await a.close();
    a = null;
    const cutOff = r.received.filter((q) => q.path === '/hook').map((q) => q.headers['webhook-id']);
    expect(await readEvents(db.pool, { types: ['WebhookDeliveryAttempted', 'WebhookDeliverySucceeded', 'WebhookDeliveryFailed'] })).toEqual([]);

    r.script('/hook', 'slow');
    b = await startTestApp(ENV, db);
    for (let i = 1; i <= 3; i++) await register(b, `after-${i}`);
    const targets = await readEvents(db.pool, { types: ['TargetRegistered'] });
    expect(targets).toHaveLength(8);
    await waitFor('all eight accepted', () => new Set(r.accepted('/hook').map((q) => q.headers['webhook-id'])).size === 8);
    await waitFor('all eight recorded', async () => (await readEvents(db.pool, { types: ['WebhookDeliverySucceeded'] })).length === 8);

    expect(r.accepted('/hook')).toHaveLength(8); // none accepted twice
    const queued = await readEvents(db.pool, { types: ['WebhookDeliveryQueued'] });
    expect(queued.map((e) => e.data.eventType)).toEqual(Array(8).fill('TargetRegistered'));
    expect(new Set(queued.map((e) => e.data.eventId)).size).toBe(8);
    // The attempts cut off by the stop were made again, under the same message id.
    for (const id of cutOff) expect(r.accepted('/hook').filter((q) => q.headers['webhook-id'] === id)).toHaveLength(1);
    expect(r.maxOpen()).toBeLessThanOrEqual(2);
    const keys = r
      .accepted('/hook')
      .map((q) => JSON.parse(q.body).data.key)
      .sort();
    expect(keys).toEqual(['after-1', 'after-2', 'after-3', 'before-1', 'before-2', 'before-3', 'while-down-1', 'while-down-2'].map((n) => `svc::${n}`));
  }, 120_000);
});

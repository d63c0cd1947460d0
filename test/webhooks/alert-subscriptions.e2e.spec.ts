import { Webhook } from 'standardwebhooks';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { SharedCounters } from '../../src/metrics/shared-counters';
import { WebhookSecrets } from '../../src/webhooks/webhook-secret';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { readEvents } from '../support/wait-for-events';
import { waitFor } from '../support/wait-for';
import { Receiver, startReceiver } from './receiver';

const SECRET = WebhookSecrets.generate();

/** ALERT_WEBHOOK_URLS are webhook subscriptions, reconciled at each start like the config file's jobs. */
describe('alert webhooks as subscriptions', () => {
  let db: TestDatabase;
  let r: Receiver;
  let t: TestApp | null = null;
  const env = (urls: string[], extra: Record<string, string> = {}) => ({
    ALERT_WEBHOOK_URLS: urls.map((u) => `${r.base}${u}`).join(','),
    ALERT_WEBHOOK_SECRET: SECRET,
    ALERT_EVAL_MS: '3600000',
    ALERT_AUTH_FAILURES_THRESHOLD: '3',
    WEBHOOK_POLL_MS: '50',
    POLL_SCHEDULER_ENABLED: 'false',
    ...extra,
  });
  const restart = async (urls: string[], extra?: Record<string, string>) => {
    await t?.close();
    t = await startTestApp(env(urls, extra), db);
    return t;
  };
  const alertSubs = async () =>
    ((await t!.request('GET', '/api/webhooks/subscriptions')).body.items as any[])
      .filter((s) => s.source === 'alert-config')
      .map((s) => s.url.replace(r.base, ''))
      .sort();
  const reconciles = async () => readEvents(db.pool, { types: ['OperatorActionRecorded'], where: (e) => e.data.action === 'webhook.reconcile_alert_config' });

  beforeAll(async () => {
    db = await createTestDatabase(30);
    r = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await r?.close();
    await db?.drop();
  });

  it('each URL becomes a subscription to AlertFired and AlertResolved without a tenant; a restart with the same list changes nothing', async () => {
    await restart(['/a', '/b']);
    const items = (await t!.request('GET', '/api/webhooks/subscriptions')).body.items;
    expect(items).toHaveLength(2);
    for (const s of items) expect(s).toMatchObject({ source: 'alert-config', tenant: null, eventTypes: ['AlertFired', 'AlertResolved'], createdBy: 'system' });
    const [entry] = await reconciles();
    expect(entry.data).toMatchObject({
      actor: 'system',
      reason: 'ALERT_WEBHOOK_URLS at start-up',
      details: { subscribed: [`${r.base}/a`, `${r.base}/b`], deleted: [] },
    });
    const before = (await db.pool.query('SELECT max(position) AS p FROM events')).rows[0].p;
    await restart(['/b', '/a']);
    expect(await alertSubs()).toEqual(['/a', '/b']);
    expect((await reconciles()).length).toBe(1);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM events WHERE position > $1 AND type LIKE 'WebhookSubscription%'`, [before])).rows[0].n).toBe(0);
  });

  it('a URL that left the list is deleted, a new one subscribed; subscriptions made through the API are not touched', async () => {
    const own = await t!.request('POST', '/api/webhooks/subscriptions', { body: { url: `${r.base}/a`, eventTypes: ['AlertFired'], reason: 'my own' } });
    expect(own.status).toBe(201);
    await restart(['/b', '/c']);
    expect(await alertSubs()).toEqual(['/b', '/c']);
    expect((await t!.request('GET', '/api/webhooks/subscriptions')).body.items.map((s: any) => s.id)).toContain(own.body.id);
    const deleted = await readEvents(db.pool, { types: ['WebhookSubscriptionDeleted'] });
    expect(deleted.map((e) => [e.data.reason, e.data.deletedBy])).toEqual([['no longer in ALERT_WEBHOOK_URLS', 'system']]);
  });

  it('an alert reaches each receiver signed with ALERT_WEBHOOK_SECRET', async () => {
    for (let i = 0; i < 3; i++) expect((await t!.request('GET', '/api/auth/whoami', { token: 'olt_wrong' })).status).toBe(401);
    await t!.app.get(SharedCounters).flush();
    expect((await t!.app.get(AlertEvaluator).evaluate()).map((e) => e.data.rule)).toEqual(['auth_failures_spike']);
    await waitFor('/b and /c got the alert', () => r.accepted('/b').length === 1 && r.accepted('/c').length === 1);
    for (const q of [...r.accepted('/b'), ...r.accepted('/c')]) {
      expect(new Webhook(SECRET).verify(q.body, q.headers as Record<string, string>)).toMatchObject({
        type: 'AlertFired',
        data: { rule: 'auth_failures_spike', value: 3 },
      });
    }
  });

  it('a new ALERT_WEBHOOK_SECRET replaces the subscriptions; one that is not a Standard Webhooks secret stops the start naming it', async () => {
    await t!.close();
    t = null;
    await expect(startTestApp(env(['/b', '/c'], { ALERT_WEBHOOK_SECRET: 'whsec_***not base64***' }), db)).rejects.toThrow(
      /^ALERT_WEBHOOK_SECRET: must be a Standard Webhooks secret/,
    );
    await restart(['/b', '/c'], { ALERT_WEBHOOK_SECRET: WebhookSecrets.generate() });
    expect(await alertSubs()).toEqual(['/b', '/c']);
    expect((await readEvents(db.pool, { types: ['WebhookSubscriptionDeleted'] })).filter((e) => e.data.reason === 'ALERT_WEBHOOK_SECRET changed')).toHaveLength(
      2,
    );
  });
});

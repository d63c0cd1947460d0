import { Webhook } from 'standardwebhooks';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import { WebhookSecrets } from '../../src/webhooks/webhook-secret';
import { startTestApp, TestApp } from '../support/test-app';
import { readEvents } from '../support/wait-for-events';
import { waitFor } from '../support/wait-for';
import { Receiver, startReceiver } from './receiver';

const WEBHOOK_ENV = {
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE_MS: '100,100,100',
  WEBHOOK_TIMEOUT_MS: '1000',
  // Every event comes from a request here: no polls, no alert evaluation.
  POLL_SCHEDULER_ENABLED: 'false',
  ALERT_EVAL_MS: '86400000',
};

describe('outbound webhooks: a real receiver that fails, times out and recovers', () => {
  let t: TestApp;
  let r: Receiver;
  let acmeToken: string;
  let globexToken: string;
  const subs: Record<string, { id: string; secret: string }> = {};
  let seq = 0;

  const subscribe = (body: Record<string, unknown>, token?: string) =>
    t.request('POST', '/api/webhooks/subscriptions', { token, body: { reason: 'test receiver', ...body } });
  const register = async (name: string, tenant?: string) => {
    const res = await t.request('POST', '/api/targets', {
      body: { type: 'svc', name, ...(tenant ? { tenant } : {}), probe: { kind: 'http', url: `${r.base}/probe` }, reason: 'webhook test' },
    });
    expect(res.status).toBe(201);
  };
  const deliveries = async (subscriptionId: string) =>
    readEvents(t.db.pool, { streamPrefix: 'webhook-delivery-', where: (e) => e.data.subscriptionId === subscriptionId });
  const failures = async (query = '', token?: string) => {
    const res = await t.request('GET', `/api/webhooks/failures${query}`, { token });
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };
  const lastPosition = async () => (await t.db.pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM events')).rows[0].p;
  const readModels = async () =>
    (
      await t.db.pool.query(
        `SELECT (SELECT json_agg(doc ORDER BY key) FROM rm_webhook_subscriptions) AS s, (SELECT json_agg(doc ORDER BY key) FROM rm_webhook_deliveries) AS d`,
      )
    ).rows[0];
  /** A rejected request: 400 naming the field with nothing appended to the log or the read models. */
  const expectRejected = async (call: () => Promise<{ status: number; body: any }>, status: number, field?: string) => {
    const before = [await lastPosition(), JSON.stringify(await readModels())];
    const res = await call();
    expect(res.status).toBe(status);
    if (field) expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))]).toEqual([field]);
    expect([await lastPosition(), JSON.stringify(await readModels())]).toEqual(before);
    return res.body;
  };

  beforeAll(async () => {
    r = await startReceiver();
    t = await startTestApp(WEBHOOK_ENV);
    for (const x of ['acme', 'globex'] as const) {
      const res = await t.request('POST', '/api/auth/tokens', { body: { name: `${x}-admin`, role: 'admin', tenant: x, reason: 'webhook test' } });
      if (x === 'acme') acmeToken = res.body.token;
      else globexToken = res.body.token;
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await r?.close();
  });

  it('signs each delivery with the Standard Webhooks headers; a 500 and a timeout are retried until the receiver recovers', async () => {
    r.script('/recovering', 500, 'hang', 204);
    const created = await subscribe({ url: `${r.base}/recovering`, eventTypes: ['TargetRegistered'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: `${r.base}/recovering`,
      eventTypes: ['TargetRegistered'],
      tenant: null,
      source: 'api',
      createdBy: 'bootstrap-admin',
    });
    subs.recovering = { id: created.body.id, secret: created.body.secret };
    // Shown once: never in the list, nor in the log in clear, nor in the timeline.
    const listed = (await t.request('GET', '/api/webhooks/subscriptions')).body.items.find((s: any) => s.id === created.body.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain('secret');
    const logged = await readEvents(t.db.pool, { types: ['WebhookSubscriptionCreated'] });
    expect(JSON.stringify(logged)).not.toContain(created.body.secret.slice(6));
    const timeline = await t.request('GET', '/api/timeline?types=WebhookSubscriptionCreated');
    expect(JSON.stringify(timeline.body)).not.toMatch(/sealed|keyId/);

    await register(`web-${++seq}`);
    await waitFor('the receiver accepted the delivery', () => r.accepted('/recovering').length === 1);
    const got = r.received.filter((q) => q.path === '/recovering');
    expect(got.map((q) => q.answer)).toEqual([500, 'hang', 204]);
    // One message id on every attempt; each attempt signed afresh and verified by the library.
    expect(new Set(got.map((q) => q.headers['webhook-id'])).size).toBe(1);
    for (const q of got) {
      const payload = new Webhook(subs.recovering.secret).verify(q.body, q.headers as Record<string, string>);
      expect(payload).toMatchObject({ type: 'TargetRegistered', data: { key: `svc::web-${seq}` } });
      expect(() => new Webhook(WebhookSecrets.generate()).verify(q.body, q.headers as Record<string, string>)).toThrow();
    }

    const events = await waitFor('the success is recorded', async () => {
      const e = await deliveries(subs.recovering.id);
      return e.some((x) => x.type === 'WebhookDeliverySucceeded') && e;
    });
    expect(events.map((e) => e.type)).toEqual(['WebhookDeliveryQueued', 'WebhookDeliveryAttempted', 'WebhookDeliveryAttempted', 'WebhookDeliverySucceeded']);
    const [queued, first, second, ok] = events;
    expect(queued.data).toMatchObject({ eventType: 'TargetRegistered', replayOf: null, messageId: got[0].headers['webhook-id'] });
    expect(first.data).toMatchObject({ attempt: 1, status: 500, errorKind: 'http_status', error: 'HTTP 500' });
    // A bounded, redacted snippet of the answer, never the body.
    expect(first.data.responseSnippet).toMatch(/^upstream said no/);
    expect(first.data.responseSnippet.length).toBeLessThanOrEqual(256);
    expect(first.data.responseSnippet).not.toMatch(/leakedtoken123456|hunter22|Z{32}/);
    expect(second.data).toMatchObject({ attempt: 2, status: null, errorKind: 'http_timeout', responseSnippet: null });
    expect(second.data.durationMs).toBeGreaterThanOrEqual(900);
    expect(ok.data).toMatchObject({ attempt: 3, status: 204, errorKind: null });
    // Every fact says who did it and what caused it.
    expect(events.every((e) => e.metadata.actor === 'webhook-dispatcher')).toBe(true);
    const ids = (await t.db.pool.query('SELECT event_id FROM events WHERE stream_id = $1 ORDER BY revision', [queued.streamId])).rows.map((x) => x.event_id);
    expect(events.slice(1).map((e) => e.metadata.causationId)).toEqual(ids.slice(0, 3));
  });

  it('a delivery whose retries run out lands in the failures inbox; one the egress policy refuses fails with blocked_by_policy', async () => {
    r.script('/down', 500);
    const down = await subscribe({ url: `${r.base}/down`, eventTypes: ['TargetRegistered', 'PollRequested'], maxConcurrency: 1 }, acmeToken);
    expect(down.status).toBe(201);
    expect(down.body.tenant).toBe('acme');
    subs.down = down.body;
    const blocked = await subscribe({ url: 'http://169.254.169.254/latest/meta-data', eventTypes: ['TargetRegistered'], tenant: 'globex' });
    expect(blocked.status).toBe(201);
    subs.blocked = blocked.body;

    await register('acme-web', 'acme');
    await register('globex-web', 'globex');
    const inbox = await waitFor('both in the inbox', async () => {
      const items = (await failures()).filter((i) => i.subscriptionId === subs.down.id || i.subscriptionId === subs.blocked.id);
      return items.length === 2 && items;
    });
    const acme = inbox.find((i) => i.tenant === 'acme');
    const globex = inbox.find((i) => i.tenant === 'globex');
    expect(acme).toMatchObject({
      status: 'failed',
      attempts: 4,
      lastStatus: 500,
      lastErrorKind: 'http_status',
      eventType: 'TargetRegistered',
      subscriptionId: subs.down.id,
      resolution: null,
    });
    expect(globex).toMatchObject({ status: 'failed', attempts: 4, lastStatus: null, lastErrorKind: 'blocked_by_policy', subscriptionId: subs.blocked.id });
    expect(globex.lastError).toMatch(/egress policy refused 169\.254\.169\.254:80 \(link_local\)/);
    expect(r.received.filter((q) => q.path === '/down')).toHaveLength(4);
    // The acme subscription only gets acme's events.
    expect(r.received.filter((q) => q.path === '/down').every((q) => JSON.parse(q.body).data.key === 'svc::acme-web')).toBe(true);
    const types = (await deliveries(subs.down.id)).map((e) => e.type);
    expect(types).toEqual([
      'WebhookDeliveryQueued',
      'WebhookDeliveryAttempted',
      'WebhookDeliveryAttempted',
      'WebhookDeliveryAttempted',
      'WebhookDeliveryFailed',
    ]);
  });

  it('the inbox filters by tenant, subscription, event type and age; a scoped admin sees its own tenant only', async () => {
    const mine = (items: any[]) =>
      items
        .filter((i) => [subs.down.id, subs.blocked.id].includes(i.subscriptionId))
        .map((i) => i.tenant)
        .sort();
    expect(mine(await failures())).toEqual(['acme', 'globex']);
    expect(mine(await failures('?tenant=globex'))).toEqual(['globex']);
    expect(mine(await failures(`?subscriptionId=${subs.down.id}`))).toEqual(['acme']);
    expect(mine(await failures('?eventType=TargetRegistered'))).toEqual(['acme', 'globex']);
    expect(mine(await failures('?eventType=RunFailed'))).toEqual([]);
    expect(mine(await failures('?newerThanSeconds=3600'))).toEqual(['acme', 'globex']);
    expect(mine(await failures('?olderThanSeconds=3600'))).toEqual([]);
    expect(mine(await failures('?status=all'))).toEqual(['acme', 'globex']);
    expect(mine(await failures('?status=handled'))).toEqual([]);
    expect(mine(await failures('', acmeToken))).toEqual(['acme']);
    expect(mine(await failures('?tenant=globex', acmeToken))).toEqual([]);
    expect((await failures('', globexToken)).map((i) => i.tenant)).toEqual(['globex']);
    const acmeSubs = (await t.request('GET', '/api/webhooks/subscriptions', { token: acmeToken })).body.items;
    expect(acmeSubs.map((s: any) => s.tenant)).toEqual(['acme']);

    const bad = await expectRejected(() => t.request('GET', '/api/webhooks/failures?olderThanSeconds=-1'), 400, 'olderThanSeconds');
    expect(bad.message).toBe('olderThanSeconds: olderThanSeconds must not be less than 0');
    await expectRejected(() => t.request('GET', '/api/webhooks/failures?status=open'), 400, 'status');
  });

  it('bad input is a 400 naming the field, a foreign or missing object a 404, and nothing is appended', async () => {
    const unknown = await expectRejected(() => subscribe({ url: `${r.base}/x`, eventTypes: ['RunFailed', 'RunExploded'] }), 400, 'eventTypes');
    expect(unknown.message).toMatch(/^eventTypes: unknown event type "RunExploded"; one of RunEnqueued, /);
    await expectRejected(() => subscribe({ url: 'ftp://files.example.com/in', eventTypes: ['RunFailed'] }), 400, 'url');
    await expectRejected(() => subscribe({ url: 'https://u:p@hooks.example.com/', eventTypes: ['RunFailed'] }), 400, 'url');
    await expectRejected(() => subscribe({ url: `${r.base}/x`, eventTypes: [] }), 400, 'eventTypes');
    await expectRejected(() => subscribe({ url: `${r.base}/x`, eventTypes: ['RunFailed'], maxConcurrency: 0 }), 400, 'maxConcurrency');
    await expectRejected(() => subscribe({ url: `${r.base}/x`, eventTypes: ['RunFailed'], reason: '' }), 400, 'reason');
    await expectRejected(() => subscribe({ url: `${r.base}/x`, eventTypes: ['RunFailed'], tenant: 'globex' }, acmeToken), 400, 'tenant');
    await expectRejected(() => t.request('POST', '/api/webhooks/failures/replay', { body: { deliveryIds: [], reason: 'x' } }), 400, 'deliveryIds');
    await expectRejected(() => t.request('POST', '/api/webhooks/failures/replay', { body: { deliveryIds: ['not-an-id'], reason: 'x' } }), 400, 'deliveryIds');
    await expectRejected(() => t.request('POST', '/api/webhooks/failures/suppress', { body: { deliveryIds: [subs.down.id] } }), 400, 'reason');
    const globexFailure = (await failures('?tenant=globex'))[0];
    const foreign = await expectRejected(
      () => t.request('POST', '/api/webhooks/failures/replay', { token: acmeToken, body: { deliveryIds: [globexFailure.id], reason: 'not mine' } }),
      404,
    );
    expect(foreign.message).toBe('no such webhook delivery');
    await expectRejected(() => t.request('DELETE', `/api/webhooks/subscriptions/${subs.blocked.id}`, { token: acmeToken, body: { reason: 'not mine' } }), 404);
  });

  it('replay delivers again under the same webhook-id, linked to the original by causation; suppress and handled keep the item; each is audited with its reason', async () => {
    // One more failure for acme, to mark handled.
    expect((await t.request('POST', '/api/targets/svc::acme-web/poll-now', { body: { reason: 'webhook test' } })).status).toBe(202);
    const paused = await waitFor(
      'the poll request failed for good',
      async () => (await failures(`?subscriptionId=${subs.down.id}&eventType=PollRequested`))[0],
    );
    const registered = (await failures(`?subscriptionId=${subs.down.id}&eventType=TargetRegistered`))[0];
    const globexFailure = (await failures('?tenant=globex'))[0];

    r.script('/down', 204); // the receiver is fixed
    const replay = await t.request('POST', '/api/webhooks/failures/replay', {
      token: acmeToken,
      body: { deliveryIds: [registered.id], reason: 'receiver fixed' },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.items[0]).toMatchObject({
      id: registered.id,
      status: 'replayed',
      resolution: { action: 'replayed', actor: 'acme-admin', reason: 'receiver fixed' },
    });
    const copy = replay.body.replays[0];
    expect(copy).toMatchObject({ replayOf: registered.id, messageId: registered.messageId, status: 'pending', tenant: 'acme' });
    await waitFor('the replay was accepted', () => r.accepted('/down').length === 1);
    expect(r.accepted('/down')[0].headers['webhook-id']).toBe(registered.messageId);
    new Webhook(subs.down.secret).verify(r.accepted('/down')[0].body, r.accepted('/down')[0].headers as Record<string, string>);
    await waitFor('the replay succeeded', async () =>
      (await deliveries(subs.down.id)).some((e) => e.streamId === `webhook-delivery-${copy.id}` && e.type === 'WebhookDeliverySucceeded'),
    );

    // audit entry → WebhookFailureReplayed on the original → WebhookDeliveryQueued of the copy.
    const [entry] = await readEvents(t.db.pool, { types: ['OperatorActionRecorded'], where: (e) => e.data.action === 'webhook.replay' });
    expect(entry.data).toMatchObject({
      actor: 'acme-admin',
      tenant: 'acme',
      reason: 'receiver fixed',
      target: `webhook-delivery:${registered.id}`,
      details: { deliveryIds: [registered.id], replayDeliveryIds: [copy.id] },
    });
    const entryId = (await t.db.pool.query('SELECT event_id FROM events WHERE position = $1', [entry.position])).rows[0].event_id;
    const replayed = (
      await t.db.pool.query(`SELECT event_id, metadata FROM events WHERE type = 'WebhookFailureReplayed' AND stream_id = $1`, [
        `webhook-delivery-${registered.id}`,
      ])
    ).rows[0];
    expect(replayed.metadata.causationId).toBe(entryId);
    const copyQueued = (
      await t.db.pool.query(`SELECT metadata FROM events WHERE type = 'WebhookDeliveryQueued' AND stream_id = $1`, [`webhook-delivery-${copy.id}`])
    ).rows[0];
    expect(copyQueued.metadata.causationId).toBe(replayed.event_id);

    const suppressed = await t.request('POST', '/api/webhooks/failures/suppress', {
      body: { deliveryIds: [globexFailure.id], reason: 'metadata endpoint was a typo' },
    });
    expect(suppressed.status).toBe(200);
    expect(suppressed.body.items[0]).toMatchObject({
      status: 'suppressed',
      resolution: { action: 'suppressed', actor: 'bootstrap-admin', reason: 'metadata endpoint was a typo' },
    });
    const handled = await t.request('POST', '/api/webhooks/failures/handled', {
      token: acmeToken,
      body: { deliveryIds: [paused.id], reason: 'told the receiver by phone' },
    });
    expect(handled.status).toBe(200);
    expect(handled.body.items[0]).toMatchObject({ status: 'handled', resolution: { action: 'handled', reason: 'told the receiver by phone' } });

    // Kept in the inbox (by status), never retried; acting again conflicts and appends nothing.
    expect((await failures('?status=suppressed')).map((i) => i.id)).toContain(globexFailure.id);
    expect((await failures('?status=handled', acmeToken)).map((i) => i.id)).toEqual([paused.id]);
    expect((await failures('?status=replayed', acmeToken)).map((i) => i.id)).toEqual([registered.id]);
    expect(
      (await expectRejected(() => t.request('POST', '/api/webhooks/failures/replay', { body: { deliveryIds: [globexFailure.id], reason: 'again' } }), 409))
        .message,
    ).toMatch(/is suppressed/);
    // A selection is all or nothing: one delivery that cannot be acted on refuses the lot.
    await expectRejected(() => t.request('POST', '/api/webhooks/failures/handled', { body: { deliveryIds: [paused.id, registered.id], reason: 'x' } }), 409);
    // The audit list reads below the oldest transaction open in the app's database (an append in flight can hide the newest entries a moment).
    const audit = await waitFor('the audit list shows the replay, suppress and handled entries', async () => {
      const items = (await t.request('GET', '/api/audit?limit=500')).body.items.filter((i: any) => /^webhook\./.test(i.action));
      return ['webhook.replay', 'webhook.suppress', 'webhook.handle'].every((a) => items.some((i: any) => i.action === a)) ? items : null;
    });
    expect(audit.map((i: any) => [i.action, i.reason])).toEqual(
      expect.arrayContaining([
        ['webhook.replay', 'receiver fixed'],
        ['webhook.suppress', 'metadata endpoint was a typo'],
        ['webhook.handle', 'told the receiver by phone'],
        ['webhook.subscribe', 'test receiver'],
      ]),
    );
  });

  it('a due row read while an attempt of it was on its way is not sent again once that attempt is recorded', async () => {
    const created = await subscribe({ url: `${r.base}/once`, eventTypes: ['TargetRegistered'] });
    expect(created.status).toBe(201);
    await register(`web-${++seq}`);
    await waitFor('the attempt recorded', async () => (await deliveries(created.body.id)).some((e) => e.type === 'WebhookDeliverySucceeded'));
    const id = (await deliveries(created.body.id))[0].data.deliveryId as string;
    // The row as a due list read before the attempt was recorded would hold it: pending, at its first revision.
    const first = await t.db.pool.query<{ doc: any }>(`SELECT doc FROM rm_webhook_deliveries WHERE key = $1`, [id]);
    const stale = { ...first.rows[0].doc, status: 'pending' };
    const sub = (await t.db.pool.query<{ doc: any }>(`SELECT doc FROM rm_webhook_subscriptions WHERE key = $1`, [created.body.id])).rows[0].doc;
    await (t.app.get(WebhookDispatcher) as any).deliver(stale, sub, '0');
    expect(r.received.filter((x) => x.path === '/once')).toHaveLength(1);
    expect((await deliveries(created.body.id)).map((e) => e.type)).toEqual(['WebhookDeliveryQueued', 'WebhookDeliverySucceeded']);
  });

  it('deleting a subscription is audited; it gets nothing more and leaves the list', async () => {
    const res = await t.request('DELETE', `/api/webhooks/subscriptions/${subs.recovering.id}`, { body: { reason: 'receiver retired' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: subs.recovering.id, deletedBy: 'bootstrap-admin', deleteReason: 'receiver retired' });
    expect((await t.request('GET', '/api/webhooks/subscriptions')).body.items.map((s: any) => s.id)).not.toContain(subs.recovering.id);
    expect((await subscribe({ url: `${r.base}/witness`, eventTypes: ['TargetRegistered'] })).status).toBe(201);
    const before = (await deliveries(subs.recovering.id)).length;
    await register(`web-${++seq}`);
    // The dispatcher queues every subscription's delivery of one event in one unit: once the
    // witness has its delivery, the deleted subscription would have had one too.
    await waitFor('the witness got the event', () => r.accepted('/witness').length === 1);
    expect(await deliveries(subs.recovering.id)).toHaveLength(before);
    expect((await t.request('DELETE', `/api/webhooks/subscriptions/${subs.recovering.id}`, { body: { reason: 'again' } })).status).toBe(404);
  });
});

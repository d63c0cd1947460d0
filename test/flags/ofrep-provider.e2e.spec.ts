import { OFREPApi } from '@openfeature/ofrep-core';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * opsledger as the flag provider of an application: the OpenFeature server SDK with the OFREP
 * provider, against the real app over HTTP, with a viewer token.
 */
describe('OpenFeature OFREP provider against opsledger', () => {
  let t: TestApp;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp({ FLAG_EXPIRY_SWEEP_MS: '3600000' });
    viewer = (await t.request('POST', '/api/auth/tokens', { body: { name: 'shop-app', role: 'viewer', reason: 'OFREP test' } })).body.token;
    const flags = [
      { key: 'checkout.new-flow', type: 'boolean', defaultValue: false },
      { key: 'banner', type: 'string', defaultValue: 'none' },
      { key: 'max-items', type: 'number', defaultValue: 10 },
      { key: 'limits', type: 'json', defaultValue: { perMinute: 60 } },
    ];
    for (const f of flags) expect((await t.request('POST', '/api/flags', { body: { ...f, description: f.key, reason: 'OFREP test' } })).status).toBe(201);
    expect((await t.request('PUT', '/api/flags/checkout.new-flow/value', { body: { value: true, reason: 'launch' } })).status).toBe(200);
    expect(
      (
        await t.request('PUT', '/api/flags/banner/value', {
          body: { value: 'sale', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'sale week' },
        })
      ).status,
    ).toBe(200);
    await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: t.url, headers: [['Authorization', `Bearer ${viewer}`]] }));
  });
  afterAll(async () => {
    await OpenFeature.close();
    await t.close();
  });

  it('resolves every flag type with value, reason and variant', async () => {
    const client = OpenFeature.getClient();
    const ctx = { targetingKey: 'user-42' };
    const on = await client.getBooleanDetails('checkout.new-flow', false, ctx);
    expect(on).toMatchObject({ value: true, reason: 'STATIC', variant: 'set', flagMetadata: { type: 'boolean' } });
    expect(on.errorCode).toBeUndefined();
    const banner = await client.getStringDetails('banner', 'fallback', ctx);
    expect(banner).toMatchObject({ value: 'sale', reason: 'STATIC' });
    expect(typeof banner.flagMetadata.expiresAt).toBe('string');
    expect(await client.getNumberDetails('max-items', 0, ctx)).toMatchObject({ value: 10, reason: 'DEFAULT', variant: 'default' });
    expect(await client.getObjectValue('limits', {}, ctx)).toEqual({ perMinute: 60 });
  });

  it('an unknown flag falls back to the code default with FLAG_NOT_FOUND; a wrong type with TYPE_MISMATCH', async () => {
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('no-such-flag', true)).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await client.getStringDetails('checkout.new-flow', 'x')).toMatchObject({ value: 'x', errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it('follows a change at the next evaluation', async () => {
    const client = OpenFeature.getClient();
    expect((await t.request('PUT', '/api/flags/max-items/value', { body: { value: 25, reason: 'bigger carts' } })).status).toBe(200);
    expect(await client.getNumberValue('max-items', 0)).toBe(25);
  });

  it('an unauthenticated provider gets the code default with an error', async () => {
    OpenFeature.setProvider('anonymous', new OFREPProvider({ baseUrl: t.url }));
    const details = await OpenFeature.getClient('anonymous').getBooleanDetails('checkout.new-flow', false);
    expect(details.value).toBe(false);
    expect(details.errorCode).toBeDefined();
  });

  it('bulk evaluation carries an ETag and answers 304 to If-None-Match (the OFREP API client)', async () => {
    const api = new OFREPApi(t.url);
    const auth: [string, string][] = [['Authorization', `Bearer ${viewer}`]];
    const first = await api.postBulkEvaluateFlags({ context: { targetingKey: 'user-42' } }, { headers: auth });
    expect(first.httpStatus).toBe(200);
    const keys = (first.value as { flags: { key: string }[] }).flags.map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['banner', 'checkout.new-flow', 'limits', 'max-items']));
    const etag = first.httpResponse!.headers.get('etag')!;
    const second = await api.postBulkEvaluateFlags({ context: {} }, { headers: [...auth, ['If-None-Match', etag]] });
    expect(second.httpStatus).toBe(304);
    await t.request('PUT', '/api/flags/limits/value', { body: { value: { perMinute: 600 }, reason: 'burst' } });
    const third = await api.postBulkEvaluateFlags({}, { headers: [...auth, ['If-None-Match', etag]] });
    expect(third.httpStatus).toBe(200);
  });

  it('a bad evaluation request is a 400 in OFREP form naming the field, appending nothing', async () => {
    const before = (await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const res = await t.request('POST', '/ofrep/v1/evaluate/flags/banner', { token: viewer, body: { context: 'user-42' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      key: 'banner',
      errorCode: 'INVALID_CONTEXT',
      fields: [{ field: 'context', problem: 'must be a JSON object' }],
      message: 'context: must be a JSON object',
    });
    const bulk = await t.request('POST', '/ofrep/v1/evaluate/flags', { token: viewer, body: { flags: ['banner'] } });
    expect(bulk.status).toBe(400);
    expect(bulk.body.fields).toEqual([{ field: 'flags', problem: 'is not a known field' }]);
    expect((await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
  });
});

import { ProbeRegistry } from '../../src/polling/probes/probe-registry';
import type { ProbeSpec } from '../../src/polling/events/target-spec';
import { testEgress } from '../support/test-egress';
import { FlakyServer, refusedPort, startFlakyServer } from './support';

describe('http probe against a real server failing on purpose', () => {
  let s: FlakyServer;
  const egress = testEgress();
  const probes = new ProbeRegistry(egress);
  const run = (probe: Partial<ProbeSpec> & { url: string }, timeoutMs = 300) => probes.run({ key: 'k', probe: { kind: 'http', ...probe } }, timeoutMs);
  beforeAll(async () => (s = await startFlakyServer()));
  afterAll(async () => {
    await s.close();
    await egress.close();
  });

  it('succeeds on 2xx and on the expected status, with a duration', async () => {
    const r = await run({ url: `${s.base}/ok` });
    expect(r).toMatchObject({ ok: true, statusCode: 200 });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(await run({ url: `${s.base}/404`, expectStatus: 404 })).toMatchObject({ ok: true, statusCode: 404 });
  });

  it.each([
    ['500', 'http_5xx', 'transient', 500],
    ['429', 'http_4xx', 'transient', 429],
    ['401', 'http_4xx', 'permanent', 401],
    ['403', 'http_4xx', 'permanent', 403],
    ['404', 'http_4xx', 'permanent', 404],
  ])('/%s → %s %s', async (path, failureKind, category, statusCode) => {
    expect(await run({ url: `${s.base}/${path}` })).toMatchObject({ ok: false, failureKind, category, statusCode });
  });

  it('a hang past the timeout is http_timeout, ended at the timeout', async () => {
    const r = await run({ url: `${s.base}/hang` }, 200);
    expect(r).toMatchObject({ ok: false, failureKind: 'http_timeout', category: 'transient' });
    expect(r.durationMs).toBeGreaterThanOrEqual(190);
    expect(r.durationMs).toBeLessThan(2000);
  });

  it('a refused connection is network_error', async () => {
    const port = await refusedPort();
    const r = await run({ url: `http://127.0.0.1:${port}/x` });
    expect(r).toMatchObject({ ok: false, failureKind: 'network_error', category: 'transient' });
    expect(!r.ok && r.message).toBe('connection refused');
  });

  it('invalid JSON and a JSON check mismatch are parse_error; a match succeeds', async () => {
    expect(await run({ url: `${s.base}/badjson`, jsonCheck: { path: 'status', equals: 'ok' } })).toMatchObject({
      ok: false,
      failureKind: 'parse_error',
      category: 'transient',
    });
    const mismatch = await run({ url: `${s.base}/mismatch`, jsonCheck: { path: 'status', equals: 'ok' } });
    expect(mismatch).toMatchObject({ ok: false, failureKind: 'parse_error' });
    expect(!mismatch.ok && mismatch.message).toBe('json check failed: status is not "ok" (status 200, application/json, 17 bytes)');
    expect(await run({ url: `${s.base}/ok`, jsonCheck: { path: 'status', equals: 'ok' } })).toMatchObject({ ok: true });
  });

  it('invalid config is permanent', async () => {
    expect(await run({ url: 'ftp://127.0.0.1/x' })).toMatchObject({ ok: false, failureKind: 'invalid_config', category: 'permanent' });
    expect(await probes.run({ key: 'k', probe: { kind: 'nope', url: 'http://x/' } }, 100)).toMatchObject({
      ok: false,
      failureKind: 'invalid_config',
      category: 'permanent',
    });
  });

  it('code-registered probes run with the timeout; one that throws is a transient network_error', async () => {
    const reg = new ProbeRegistry(egress);
    reg.register('throws', async () => {
      throw new Error('no route');
    });
    reg.register('ignores-signal', () => new Promise(() => undefined));
    expect(() => reg.register('http', async () => ({ ok: true, statusCode: null, durationMs: 0 }))).toThrow(/twice/);
    expect(await reg.run({ key: 'k', probe: { kind: 'throws', url: 'x' } }, 100)).toMatchObject({
      ok: false,
      failureKind: 'network_error',
      message: 'no route',
    });
    expect(await reg.run({ key: 'k', probe: { kind: 'ignores-signal', url: 'x' } }, 50)).toMatchObject({ ok: false, failureKind: 'http_timeout' });
  });
});

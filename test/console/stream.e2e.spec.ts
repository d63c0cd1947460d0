import { startTestApp, TestApp } from '../support/test-app';
import { signIn } from './session-client';
import { SseReader } from './sse-reader';

describe('GET /api/stream (server-sent events)', () => {
  let t: TestApp;
  let acmeToken: string;
  const readers: SseReader[] = [];
  const open = async (headers: Record<string, string>) => {
    const r = await SseReader.open(`${t.url}/api/stream`, headers);
    readers.push(r);
    return r;
  };
  const register = (name: string, tenant: string) =>
    t.request('POST', '/api/targets', {
      body: { type: 'instance', name, tenant, probe: { kind: 'http', url: 'http://127.0.0.1:9/x' }, reason: 'stream test' },
    });

  beforeAll(async () => {
    t = await startTestApp({ STREAM_HEARTBEAT_MS: '200', AUTH_CACHE_MS: '0', POLL_SCHEDULER_ENABLED: 'false' });
    acmeToken = (await t.request('POST', '/api/auth/tokens', { body: { name: 'acme-eyes', role: 'viewer', tenant: 'acme', reason: 'test' } })).body.token;
  });
  afterEach(async () => {
    for (const r of readers.splice(0)) await r.close();
  });
  afterAll(async () => t.close());

  it('pushes a change message per event (type, stream, tenant, position, time, summary; no data, no digest), ids are log checkpoints', async () => {
    const s = await open({ authorization: `Bearer ${t.adminToken}` });
    await s.until((f) => f.some((x) => x.event === 'ready'));
    expect(s.frames[0].id).toMatch(/^\d+:\d+$/);
    expect((await register('eu-1', 'acme')).status).toBe(201);
    await t.request('POST', '/api/auth/tokens', { body: { name: 'fresh', role: 'viewer', reason: 'test' } });
    await s.until((f) => f.some((x) => x.data.type === 'TargetRegistered') && f.some((x) => x.data.type === 'TokenIssued'));
    const reg = s.frames.find((x) => x.data.type === 'TargetRegistered')!;
    expect(reg.event).toBe('change');
    expect(reg.id).toMatch(/^\d+:\d+$/);
    expect(reg.data).toMatchObject({
      type: 'TargetRegistered',
      stream: 'target-instance::eu-1',
      tenant: 'acme',
      actor: 'bootstrap-admin',
      position: expect.stringMatching(/^\d+$/),
      at: expect.any(String),
      summary: expect.stringContaining('instance::eu-1'),
    });
    expect(Object.keys(reg.data)).not.toContain('data');
    const issued = s.frames.find((x) => x.data.type === 'TokenIssued')!;
    expect(JSON.stringify(issued)).not.toMatch(/[0-9a-f]{64}/);
  });

  it("a tenant-scoped token sees only its tenant's events", async () => {
    const acme = await open({ authorization: `Bearer ${acmeToken}` });
    const all = await open({ authorization: `Bearer ${t.adminToken}` });
    await acme.until((f) => f.some((x) => x.event === 'ready'));
    await all.until((f) => f.some((x) => x.event === 'ready'));
    await register('globex-1', 'globex');
    await register('acme-2', 'acme');
    await all.until((f) => f.filter((x) => x.data.type === 'TargetRegistered').length >= 2);
    await acme.until((f) => f.some((x) => x.data.stream === 'target-instance::acme-2' && x.data.type === 'TargetRegistered'));
    await new Promise((r) => setTimeout(r, 300));
    const seen = acme.frames.filter((x) => x.event === 'change');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => x.data.tenant === 'acme')).toBe(true);
    expect(seen.some((x) => x.data.stream.includes('globex'))).toBe(false);
  });

  it('resumes after Last-Event-ID: the events appended while away come first, nothing before them', async () => {
    const first = await open({ authorization: `Bearer ${t.adminToken}` });
    await first.until((f) => f.some((x) => x.event === 'ready'));
    await register('r-1', 'acme');
    await first.until((f) => f.some((x) => x.data.stream === 'target-instance::r-1'));
    const lastSeen = [...first.frames].reverse().find((x) => x.id)!;
    await first.close();
    await register('r-2', 'acme');
    await register('r-3', 'acme');
    const again = await open({ authorization: `Bearer ${t.adminToken}`, 'last-event-id': lastSeen.id! });
    await again.until((f) => f.some((x) => x.data.stream === 'target-instance::r-3'));
    expect(again.frames[0]).toMatchObject({ event: 'ready', id: lastSeen.id, data: { resumedFrom: lastSeen.id } });
    const changes = again.frames.filter((x) => x.event === 'change');
    expect(changes.some((x) => x.data.stream === 'target-instance::r-1')).toBe(false);
    expect(changes.find((x) => x.data.type === 'TargetRegistered')!.data.stream).toBe('target-instance::r-2');
    const positions = changes.map((x) => BigInt(x.data.position));
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
  });

  it('refuses a Last-Event-ID that is not a checkpoint, naming it', async () => {
    const r = await open({ authorization: `Bearer ${t.adminToken}`, 'last-event-id': 'yesterday' });
    expect(r.status).toBe(400);
    expect(r.frames[0].data.fields[0].field).toBe('Last-Event-ID');
  });

  it('works with the session cookie and ends (session-ended) when the session is revoked', async () => {
    const s = await signIn(t, acmeToken);
    const r = await open({ cookie: s.cookie });
    await r.until((f) => f.some((x) => x.event === 'ready'));
    expect((await t.request('DELETE', `/api/sessions/${s.sessionId}`, { body: { reason: 'stream test' } })).status).toBe(200);
    await r.until((f) => f.some((x) => x.event === 'session-ended'));
    await r.until(() => r.ended, 5000);
  });

  it('without a token or session it answers 401', async () => {
    const r = await open({});
    expect(r.status).toBe(401);
  });
});

import { EVENT_STORE } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('GET /api/timeline', () => {
  let t: TestApp;
  let store: PostgresEventStore;
  let from: string;
  beforeAll(async () => {
    t = await startTestApp();
    store = t.app.get<PostgresEventStore>(EVENT_STORE);
    from = new Date(Date.now() - 1000).toISOString();
  });
  afterAll(async () => t.close());
  const to = () => new Date(Date.now() + 1000).toISOString();

  it('lists a window across streams in commit order, with summaries, actors and causes', async () => {
    // A transaction that appends first but commits last comes after the one that committed first.
    const a = await t.db.pool.connect();
    await a.query('BEGIN');
    await store.appendWith(a, 'target-instance::eu-1', [{ type: 'ThingFailed', data: { failureKind: 'http_5xx', message: '500 Internal' } }], 'any');
    await store.append('target-instance::eu-2', [{ type: 'ThingRecovered', data: { durationMs: 12 } }], 'any');
    await a.query('COMMIT');
    a.release();
    const override = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { tenant: 'acme' }, limit: 900, expiresAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'backfill after outage' },
    });
    expect(override.status).toBe(201);

    const url = `/api/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}&types=ThingFailed,ThingRecovered,RateLimitOverrideGranted,OperatorActionRecorded`;
    // Gap-safe: the grant shows once in-flight background transactions have ended.
    const res = await waitFor(
      'the override grant in the timeline',
      async () => {
        const r = await t.request('GET', url);
        return r.body.items?.some((e: { type: string }) => e.type === 'RateLimitOverrideGranted') && r;
      },
      5000,
    );
    expect(res.status).toBe(200);
    const items = res.body.items.filter((i: { type: string; summary: string }) => i.type !== 'OperatorActionRecorded' || /rate_limit/.test(i.summary));
    expect(items.map((i: { type: string }) => i.type)).toEqual(['ThingFailed', 'ThingRecovered', 'OperatorActionRecorded', 'RateLimitOverrideGranted']);
    expect(items[0].summary).toMatch(/eu-1/);
    expect(items[0].streamId).toBe('target-instance::eu-1');
    const granted = items[3];
    expect(granted.actor).toBe('bootstrap-admin');
    expect(granted.causedBy).toEqual([
      expect.objectContaining({
        type: 'OperatorActionRecorded',
        actor: 'bootstrap-admin',
        summary: expect.stringContaining('rate_limit.override on rate-limit-override:'),
      }),
    ]);
    expect(granted.causedBy[0].summary).toContain('"backfill after outage"');
  });

  /** Five ThingSampled events (i = 0..4) on one target, once the timeline shows them all. */
  const sampled = async (target: string) => {
    for (let i = 0; i < 5; i++) await store.append(`target-${target}`, [{ type: 'ThingSampled', data: { i } }], 'any');
    // The timeline is gap-safe: while a background transaction is in flight, later commits wait.
    const all = `/api/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}&target=${target}`;
    await waitFor(`the five events of ${target} in the timeline`, async () => (await t.request('GET', all)).body.items?.length >= 5, 5000);
  };

  it('filters by target and pages with a cursor', async () => {
    await sampled('instance::paged');
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}&target=instance::paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.request('GET', q);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { data: { i: number } }) => i.data.i));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('streams ndjson', async () => {
    await sampled('instance::streamed');
    const res = await fetch(`${t.url}/api/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to())}&target=instance::streamed&format=ndjson`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.data.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects a bad window naming the field', async () => {
    const bad = await t.request('GET', '/api/timeline?from=yesterday&to=2026-11-25T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('from');
    const reversed = await t.request('GET', '/api/timeline?from=2026-11-25T02:00:00Z&to=2026-11-25T01:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.fields).toEqual([{ field: 'to', problem: 'must be after from' }]);
    // A missing bound is a default (to = now, from = to - 1 h), not an error.
    expect((await t.request('GET', `/api/timeline?from=${encodeURIComponent(from)}`)).status).toBe(200);
  });
});

import type { TestApp } from './test-app';

/**
 * Waits until every projection of the app has applied every committed event, so reads after it
 * see everything appended before it. "Lag 0" alone is not enough: while some transaction is in
 * flight, events committed after it are not yet readable (gap safety) and the head looks
 * caught up; so it also waits until no committed event lies beyond the readable horizon.
 */
export async function waitForProjections(t: TestApp, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const { rows } = await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`);
    const res = await t.request('GET', '/api/projections');
    last = { unreadable: rows[0].n, projections: res.body };
    const list: { state: string; lag: { events: number } }[] = res.body?.projections ?? res.body;
    if (rows[0].n === '0' && res.status === 200 && Array.isArray(list) && list.every((p) => p.state === 'live' && p.lag.events === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`projections did not catch up within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

import type { TestApp } from './test-app';
import { waitFor } from './wait-for';
import { READ_HORIZON } from '../../src/event-store/postgres/read-horizon.sql';

/**
 * Waits until every projection of the app has applied every committed event, so reads after it
 * see everything appended before it. "Lag 0" alone is not enough: while some transaction is in
 * flight, events committed after it are not yet readable (gap safety) and the head looks
 * caught up; so it also waits until no committed event lies beyond the readable horizon.
 */
export async function waitForProjections(t: TestApp, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    'every projection to apply every committed event',
    async () => {
      const { rows } = await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE transaction_id >= ${READ_HORIZON}`);
      const res = await t.request('GET', '/api/projections');
      const list: { name: string; state: string; lag: { events: number } }[] = res.body?.projections ?? res.body;
      const behind = Array.isArray(list) ? list.filter((p) => p.state !== 'live' || p.lag.events !== 0) : null;
      if (rows[0].n === '0' && res.status === 200 && behind?.length === 0) return true;
      throw new Error(`${rows[0].n} committed event(s) not yet readable; GET /api/projections ${res.status}, behind: ${JSON.stringify(behind ?? res.body)}`);
    },
    timeoutMs,
  );
}

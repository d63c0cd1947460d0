import type { TestApp } from './test-app';

/**
 * Waits until every projection of the app has applied the whole log (lag 0, live), so reads
 * after it see every event appended before it.
 */
export async function waitForProjections(t: TestApp, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const res = await t.request('GET', '/api/projections');
    last = res.body;
    const list: { state: string; lag: { events: number } }[] = res.body?.projections ?? res.body;
    if (res.status === 200 && Array.isArray(list) && list.every((p) => p.state === 'live' && p.lag.events === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`projections did not catch up within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

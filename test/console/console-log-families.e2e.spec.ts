import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryLog } from '../observability/memory-log';
import { startTestApp, TestApp } from '../support/test-app';
import { signIn } from './session-client';
import { SseReader } from './sse-reader';

/**
 * The console's log families that need a broken installation: a console that was never built, and
 * the session sweeper and the event stream when the database refuses their reads (tables renamed
 * away under the running app, then back).
 */
describe('console log families on a broken installation', () => {
  const log = new MemoryLog();
  let t: TestApp;
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'opsledger-console-unbuilt-'));

  beforeAll(async () => {
    t = await startTestApp({ CONSOLE_DIR: emptyDir, SESSION_SWEEP_MS: '100', POLL_SCHEDULER_ENABLED: 'false', LOG_LEVEL: 'info' }, undefined, {
      logDestination: log,
    });
  });
  afterAll(async () => t?.close());

  it('console.not_built: the service starts, says so, and / answers 404 saying to build', async () => {
    expect(log.find('console.not_built', { dir: emptyDir })).toHaveLength(1);
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/npm run build/);
  });

  it('session.sweep_failed and stream.read_failed while their tables are gone; both go on once they are back', async () => {
    const s = await signIn(t, t.adminToken);
    const stream = await SseReader.open(`${t.url}/api/stream`, { cookie: s.cookie });
    expect(stream.status).toBe(200);
    await t.db.pool.query('ALTER TABLE rm_sessions RENAME TO rm_sessions_away');
    await t.db.pool.query('ALTER TABLE events RENAME TO events_away');
    try {
      await log.waitFor('session.sweep_failed', { err: /rm_sessions/ });
      await log.waitFor('stream.read_failed', { err: /events/ });
    } finally {
      await t.db.pool.query('ALTER TABLE events_away RENAME TO events');
      await t.db.pool.query('ALTER TABLE rm_sessions_away RENAME TO rm_sessions');
    }
    // The stream still delivers what happens next.
    expect((await t.request('POST', '/api/system/janitor', { body: { reason: 'after the outage' } })).status).toBeLessThan(300);
    await stream.until((frames) => frames.some((f) => f.event === 'change' && /janitor/i.test(JSON.stringify(f.data))), 30_000);
    await stream.close();
  });
});

import { randomBytes } from 'node:crypto';
import { IncomingMessage, request } from 'node:http';
import { ensureBuilt, MainProcess } from '../support/main-process';
import { freePort } from '../support/free-port';
import { startTestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { SseReader } from './sse-reader';

/** "A few seconds": an open stream must not hold the server's close for its keep-alive (72 s). */
const CLOSE_WITHIN_MS = 5_000;

type Holder = { name: string; open: (url: string, token: string) => Promise<() => void> };

/** Ways a client holds GET /api/stream open while the server stops. Each returns its cleanup. */
const HOLDERS: Holder[] = [
  {
    name: 'an EventSource-like client that keeps reading',
    open: async (url, token) => {
      const r = await SseReader.open(`${url}/api/stream`, { authorization: `Bearer ${token}` });
      await r.until((f) => f.some((x) => x.event === 'ready'));
      return () => void r.close();
    },
  },
  {
    name: 'a client that stopped reading (its socket paused)',
    open: async (url, token) => {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${url}/api/stream`, { headers: { authorization: `Bearer ${token}` }, agent: false }, resolve);
        req.on('error', reject);
        req.end();
      });
      await new Promise((r) => res.once('data', r));
      res.pause();
      return () => res.destroy();
    },
  },
  {
    name: "fetch whose body reader was cancelled after the first message (the API fuzz's case)",
    open: async (url, token) => {
      const res = await fetch(`${url}/api/stream`, { headers: { authorization: `Bearer ${token}` } });
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
      return () => undefined;
    },
  },
  {
    name: 'fetch still reading, aborted only after the server began to stop',
    open: async (url, token) => {
      const abort = new AbortController();
      const res = await fetch(`${url}/api/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read();
      void (async () => {
        try {
          for (;;) if ((await reader.read()).done) break;
        } catch {
          /* aborted */
        }
      })();
      return () => abort.abort();
    },
  },
];

describe('GET /api/stream does not delay shutdown', () => {
  it.each(HOLDERS.map((h) => [h.name, h] as const))(
    'app.close() with %s finishes within a few seconds',
    async (_name, holder) => {
      const t = await startTestApp({ STREAM_HEARTBEAT_MS: '60000', POLL_SCHEDULER_ENABLED: 'false' });
      let cleanup = (): void => undefined;
      let closing: Promise<void> | null = null;
      try {
        cleanup = await holder.open(t.url, t.adminToken);
        // A write while it is held: the stream is busy, not idle, when the close begins.
        await t.request('POST', '/api/auth/tokens', { body: { name: 'busy', role: 'viewer', reason: 'shutdown test' } });
        const t0 = Date.now();
        closing = t.app.close();
        const late = new Promise<'late'>((r) => setTimeout(() => r('late'), CLOSE_WITHIN_MS).unref());
        expect(await Promise.race([closing.then(() => Date.now() - t0), late])).toBeLessThan(CLOSE_WITHIN_MS);
      } finally {
        cleanup();
        await (closing ?? t.app.close());
        await t.db.drop();
      }
    },
    // A failure waits for the close to end (the keep-alive's 72 s) before the database goes.
    120_000,
  );

  it('SIGTERM of the built service with every kind of held stream open: exits 0 within a few seconds', async () => {
    ensureBuilt();
    const db = await createTestDatabase(5);
    const port = await freePort();
    const token = `olt_${randomBytes(24).toString('base64url')}`;
    const url = `http://127.0.0.1:${port}`;
    const child = new MainProcess(
      {
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        OPSLEDGER_ADMIN_TOKEN: token,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        POLL_SCHEDULER_ENABLED: 'false',
      },
      { compiled: true },
    );
    const cleanups: (() => void)[] = [];
    try {
      await waitFor(
        'the service to answer its health check',
        async () => {
          if (!child.running) throw new Error(`exited:\n${child.output}`);
          return fetch(`${url}/api/health`).then(
            (r) => r.ok,
            () => false,
          );
        },
        90_000,
        200,
      );
      for (const h of HOLDERS) cleanups.push(await h.open(url, token));
      const t0 = Date.now();
      child.kill('SIGTERM');
      const exit = await child.stop(30_000);
      const ms = Date.now() - t0;
      expect({ exit, ms: ms < CLOSE_WITHIN_MS ? 'fast' : ms }).toEqual({ exit: { code: 0, signal: null }, ms: 'fast' });
      expect(child.output).toContain('"event":"process.stopped"');
      expect(child.output).not.toContain('process.shutdown_timeout');
    } finally {
      child.kill('SIGKILL');
      for (const c of cleanups) c();
      await db.drop();
    }
  }, 180_000);
});

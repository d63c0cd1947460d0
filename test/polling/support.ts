import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '../support/free-port';
import { streamTypes as typesOf } from '../support/wait-for-events';

/**
 * A real HTTP server on 127.0.0.1 that fails on purpose, per path:
 * /ok, /500, /404, /401, /403, /429, /hang (never answers), /badjson, /mismatch, /switch (mode set by the test).
 */
export interface FlakyServer {
  readonly base: string;
  readonly hits: Map<string, number>;
  /** What /switch/<name> answers: 'ok' | '500' | '401' | 'hang'. */
  readonly modes: Map<string, string>;
  close(): Promise<void>;
}

export async function startFlakyServer(): Promise<FlakyServer> {
  const hits = new Map<string, number>();
  const modes = new Map<string, string>();
  const hanging = new Set<ServerResponse>();
  const answer = (res: ServerResponse, mode: string) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (mode) {
      case 'ok':
        return json(200, { status: 'ok' });
      case '500':
        return json(500, { error: 'boom' });
      case '401':
      case '403':
      case '404':
      case '429':
        return json(Number(mode), { error: mode });
      case 'hang':
        hanging.add(res);
        return;
      case 'badjson':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"status": ok');
      case 'mismatch':
        return json(200, { status: 'down' });
      default:
        return json(404, { error: 'unknown path' });
    }
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const [, first, second] = path.split('/');
    answer(res, first === 'switch' ? (modes.get(second) ?? 'ok') : first);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    modes,
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A port that was just open and is now closed: connecting is refused. */
export const refusedPort = () => freePort();

/** Short timings: every rule of the seeds fires within seconds. */
export const FAST_POLLING_ENV: Record<string, string> = {
  POLL_DEFAULT_INTERVAL_SECONDS: '0.2',
  POLL_MIN_INTERVAL_SECONDS: '0.1',
  POLL_MAX_INTERVAL_SECONDS: '2',
  POLL_TIMEOUT_MS: '300',
  BREAKER_FAILURE_THRESHOLD: '3',
  BREAKER_OPEN_BASE_MS: '300',
  BREAKER_OPEN_MAX_MS: '2000',
  DEAD_LETTER_STREAK: '5',
  DEAD_LETTER_RETRY_SCHEDULE: '0.6,1.2',
  SCHEDULER_TICK_MS: '20',
  SCHEDULER_REPORT_MS: '200',
  POLL_LEASE_MS: '3000',
  POLL_LEASE_RENEW_MS: '200',
  QUIET_HOURS: 'off',
  PROJECTION_POLL_MS: '50',
};

/** Events of one target stream, oldest first. */
export const streamTypes = (pool: import('pg').Pool, key: string): Promise<string[]> => typesOf(pool, `target-${key}`);

import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One call of an http job handler, as the endpoint saw it. */
export interface JobCall {
  readonly path: string;
  readonly runId: string;
  readonly attempt: number;
  readonly at: number;
}

export interface JobEndpoint {
  readonly base: string;
  readonly calls: JobCall[];
  close(): Promise<void>;
}

/**
 * A real HTTP server that http job handlers call. It records every call (run id and attempt from
 * the handler's JSON body) so a test can prove no attempt ran without a claim, or twice:
 * /job/ok → 200; /job/slow?ms=N → 200 after N ms; /job/fail → 500; /job/flaky → 500 on attempt 1, then 200.
 */
export async function startJobEndpoint(): Promise<JobEndpoint> {
  const calls: JobCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let runId = String(req.headers['x-opsledger-run-id'] ?? '');
      let attempt = 0;
      try {
        const b = JSON.parse(body) as { runId?: string; attempt?: number };
        runId = b.runId ?? runId;
        attempt = b.attempt ?? 0;
      } catch {
        /* no JSON body */
      }
      calls.push({ path: url.pathname, runId, attempt, at: Date.now() });
      const reply = (status: number) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status, runId, attempt }));
      };
      switch (url.pathname) {
        case '/job/ok':
          return reply(200);
        case '/job/fail':
          return reply(500);
        case '/job/flaky':
          return reply(attempt <= 1 ? 500 : 200);
        case '/job/slow': {
          const t = setTimeout(
            () => {
              timers.delete(t);
              reply(200);
            },
            Number(url.searchParams.get('ms') ?? 1000),
          );
          timers.add(t);
          return;
        }
        default:
          return reply(404);
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

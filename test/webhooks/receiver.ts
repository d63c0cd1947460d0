import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered: a status, 'hang' (no answer) or 'slow' (204 after 150 ms). */
  readonly answer: Answer;
}

export type Answer = number | 'hang' | 'slow';

/**
 * A real webhook receiver on 127.0.0.1. What it answers is set per path by the test: a status
 * (its body echoes a credential-looking text, so redaction is tested), 'hang' (never answers: the
 * sender times out), 'slow' (204 after 150 ms), or a script of answers used in turn (the last one
 * repeats). It counts the requests open at once.
 */
export interface Receiver {
  readonly base: string;
  readonly received: Received[];
  /** Answers for a path, in turn; the last repeats. Default: 204. */
  script(path: string, ...answers: Answer[]): void;
  /** The most requests it had open at one time. */
  readonly maxOpen: () => number;
  /** Requests to `path` that were answered 2xx. */
  accepted(path: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  const hanging = new Set<ServerResponse>();
  let open = 0;
  let maxOpen = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const script = scripts.get(path) ?? [204];
      const answer = script.length > 1 ? script.shift()! : script[0];
      received.push({ path, headers: req.headers, body, answer });
      if (answer === 'hang') return void hanging.add(res);
      if (answer === 'slow') return void setTimeout(() => res.writeHead(204).end(), 150);
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer >= 300 ? `upstream said no; Authorization: Bearer leakedtoken123456 password=hunter22 ${'Z'.repeat(600)}` : '');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    script: (path, ...answers) => void scripts.set(path, answers),
    maxOpen: () => maxOpen,
    accepted: (path) => received.filter((r) => r.path === path && (r.answer === 'slow' || (typeof r.answer === 'number' && r.answer < 300))),
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

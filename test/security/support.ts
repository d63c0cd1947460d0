import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { TEST_SERVER_KEYS } from '../support/server-keys';

/** What a server inside the network might hold: none of it may ever reach an event, the API or an error text. */
export const SECRETS = {
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  passwd: 'root:x:0:0:root:/root:/bin/bash',
  reason: 'AKIA-IN-THE-REASON-PHRASE',
} as const;
export const SECRET_PATTERN = /AKIA|wJalr|root:x|REASON-PHRASE/;

/**
 * A real HTTP server on 127.0.0.1 that counts every request it gets, by path:
 * /ok, /credentials (JSON with secrets), /passwd (text), /status-secret (500 with a secret reason
 * phrase), /redirect?to=<url> (302), /hook (webhook receiver: records the body).
 */
export interface CountingServer {
  readonly port: number;
  readonly base: string;
  readonly hits: Map<string, number>;
  readonly received: unknown[];
  total(): number;
  close(): Promise<void>;
}

export async function startCountingServer(): Promise<CountingServer> {
  const hits = new Map<string, number>();
  const received: unknown[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      switch (url.pathname) {
        case '/ok':
          return json(res, 200, { status: 'ok' });
        case '/credentials':
          return json(res, 200, { Code: 'Success', AccessKeyId: SECRETS.accessKey, SecretAccessKey: SECRETS.secretKey });
        case '/passwd':
          return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${SECRETS.passwd}\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n`);
        case '/status-secret':
          return res.writeHead(500, SECRETS.reason, { 'content-type': 'text/plain' }).end(SECRETS.passwd);
        case '/redirect':
          return res.writeHead(302, { location: url.searchParams.get('to') ?? '/ok' }).end();
        case '/hook':
          received.push(JSON.parse(body));
          return res.writeHead(204).end();
        default:
          return json(res, 404, { error: 'unknown path' });
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    hits,
    received,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Every log line the app writes, kept in memory. */
export class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  lines(): Record<string, any>[] {
    return this.text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
}

export const ROOT = path.resolve(__dirname, '../..');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI or the entry point as a user runs it: a child process with only the given environment (plus PATH). */
export function runTs(script: string, args: readonly string[], env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `npm run audit -- verify …` against a database, with the test keys unless `env` says otherwise. */
export const auditVerify = (url: string, args: readonly string[] = [], env: Record<string, string> = {}) =>
  runTs('src/cli/audit.cli.ts', ['verify', ...args], { ...TEST_SERVER_KEYS, DATABASE_URL: url, ...env });

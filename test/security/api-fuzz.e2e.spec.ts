import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';
import { GeneratedRequest, OpenApiDoc, operationsOf, requestFor } from './openapi-arbitraries';

/**
 * Requests generated from the app's own OpenAPI document (fast-check over each route's
 * parameters and body schema: examples and bounds, NUL, lone surrogates, huge, negative and
 * non-finite numbers, very long strings, wrong types, unknown and missing fields, malformed JSON)
 * must never get a 5xx, and a 4xx must never append an event.
 *
 * `npm test` runs a few requests per route with a fixed seed; `npm run fuzz:api` runs many with a
 * fresh seed (printed; FUZZ_SEED=<n> replays a run, FUZZ_RUNS_PER_ROUTE sets the count).
 */
const LARGE = process.env.FUZZ_LARGE === '1';
const RUNS = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? (LARGE ? 200 : 8));
const SEED = Number(process.env.FUZZ_SEED ?? (LARGE ? Date.now() % 2 ** 31 : 20261126));

/**
 * GET /api/stream never ends: its answer is its status and first chunk, read over a connection of
 * its own that is then destroyed (fetch's cancel or abort leaves the server a connection it keeps
 * until its keep-alive lapses, which holds the app's close for 72 s).
 */
function streamStart(url: string, headers: Record<string, string> | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (res.statusCode === 200) {
          resolve({ status: 200, text });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('generated requests from the OpenAPI document', () => {
  let t: TestApp;
  let dir: string;
  const known: Record<string, unknown[]> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsledger-fuzz-'));
    const config = path.join(dir, 'opsledger.yaml');
    writeFileSync(config, 'jobs:\n  - name: nightly-report\n    schedule: on-demand\n    handler: { kind: http, url: "http://127.0.0.1:9/report" }\n');
    // No loop appends on its own (server mode: no scheduler, workers or cron; alerts and snapshots far apart),
    // so every event appended during a request is that request's.
    t = await startTestApp({ APP_MODE: 'server', OPSLEDGER_CONFIG: config, ALERT_EVAL_MS: '3600000', PIT_SNAPSHOT_INTERVAL_MS: '3600000' });
    // Real objects for the path parameters to hit, next to generated ones.
    expect(
      (await t.request('POST', '/api/targets', { body: { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } } })).status,
    ).toBe(201);
    const run = await t.request('POST', '/api/jobs/nightly-report/run', { body: { reason: 'fuzz fixture' } });
    expect(run.status).toBe(202);
    const token = await t.request('POST', '/api/auth/tokens', { body: { name: 'fuzz-viewer', role: 'viewer', reason: 'fuzz fixture' } });
    expect(token.status).toBe(201);
    const override = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { tenant: 'acme' }, limit: 10, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'fuzz fixture' },
    });
    expect(override.status).toBe(201);
    await waitForProjections(t);
    const projections = (await t.request('GET', '/api/projections')).body;
    Object.assign(known, {
      key: ['instance::eu-1'],
      name: ['nightly-report', ...(projections.projections ?? projections).map((p: { name: string }) => p.name)],
      id: [run.body.runId, token.body.tokenId ?? token.body.id, override.body.id],
      viewer: [token.body.token],
    });
  });

  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `never answers 5xx, and appends nothing on a 4xx (${RUNS} requests a route, seed ${SEED})`,
    async () => {
      if (LARGE) process.stdout.write(`fuzz:api seed ${SEED}, ${RUNS} requests a route (FUZZ_SEED=${SEED} replays it)\n`);
      const doc = (await t.request('GET', '/api/docs/json', { token: null })).body as OpenApiDoc;
      const operations = operationsOf(doc);
      expect(operations.length).toBeGreaterThan(30);
      const tokens = fc.oneof(
        { arbitrary: fc.constant(t.adminToken), weight: 6 },
        { arbitrary: fc.constantFrom<string | null>(null, 'olt_not-a-token', ...(known.viewer as string[])), weight: 1 },
      );
      const head = async () => (await t.db.pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM events')).rows[0].p;
      const statuses = new Map<number, number>();
      const failures: string[] = [];

      for (const op of operations) {
        const send = async (req: GeneratedRequest) => {
          const before = await head();
          let status: number;
          let text: string;
          try {
            if (req.method === 'GET' && /^\/api\/stream(\?|$)/.test(req.url)) ({ status, text } = await streamStart(t.url + req.url, req.headers));
            else {
              const res = await fetch(t.url + req.url, { method: req.method, headers: req.headers, body: req.body });
              status = res.status;
              text = await res.text();
            }
          } catch {
            return; // the client refused to send it (e.g. a URL it cannot parse): nothing reached the server
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const shown = `${req.method} ${req.url.slice(0, 300)} body=${(req.body ?? '').slice(0, 300)} → ${status} ${text.slice(0, 300)}`;
          if (status >= 500) throw new Error(`5xx: ${shown}`);
          if (status >= 400) {
            const after = await head();
            if (after !== before) throw new Error(`a ${status} appended events (log head ${before} → ${after}): ${shown}`);
          }
        };
        const result = await fc.check(fc.asyncProperty(requestFor(doc, op, tokens, known), send), { numRuns: RUNS, seed: SEED, endOnFailure: !LARGE });
        if (result.failed) failures.push(`${op.method} ${op.path}: ${String(result.errorInstance ?? result.counterexample)}`);
      }

      if (LARGE) process.stdout.write(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`);
      expect(failures).toEqual([]);
      // The generator reached the handlers too, not only the validation in front of them.
      const count = (lo: number, hi: number) => [...statuses].filter(([s]) => s >= lo && s < hi).reduce((n, [, c]) => n + c, 0);
      expect(count(200, 300)).toBeGreaterThan(operations.length / 2);
      expect(count(400, 500)).toBeGreaterThan(operations.length);
    },
    LARGE ? 3_600_000 : 120_000,
  );
});

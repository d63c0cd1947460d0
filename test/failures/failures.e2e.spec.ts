import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorSignature } from '../../src/shared/error-signature';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { waitForProjections } from '../support/wait-for-projections';

const node = process.execPath;
/** A command job that prints `line` to stderr (after some ordinary output) and exits with `code`. */
const failing = (name: string, line: string, code: number, tenant?: string) => ({
  name,
  schedule: 'on-demand',
  maxAttempts: 1,
  ...(tenant ? { tenant } : {}),
  handler: {
    kind: 'command',
    argv: [node, '-e', `console.log('connecting to the orders database'); console.error(${JSON.stringify(line)}); process.exit(${code})`],
  },
});
/** Three variants of one error, from three jobs of two tenants; and a different error. */
const REFUSED = [
  failing('orders-sync', 'connection refused 10.0.0.1:5432 after 3012 ms', 1, 'acme'),
  failing('invoice-export', 'connection refused 10.0.0.7:5433 after 15 ms', 2, 'acme'),
  failing('ledger-close', 'Connection refused 192.168.1.20:6543 after 120000 ms', 1, 'globex'),
];
const SIG = errorSignature('exit code 1: connection refused 10.0.0.1:5432 after 3012 ms');

describe('finding failures (e2e: real failing job runs and probes against a real HTTP server)', () => {
  let t: TestApp;
  let server: Server;
  let dir: string;
  let base: string;
  const runIds: Record<string, string> = {};
  let acmeViewer = '';
  let acmeOperator = '';

  const head = async () =>
    (await t.db.pool.query<{ p: string; n: number }>('SELECT coalesce(max(position), 0)::text AS p, count(*)::int AS n FROM events')).rows[0];
  const run = async (job: string, reason = 'e2e') => {
    const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason } });
    expect(res.status).toBe(202);
    return res.body.runId as string;
  };
  const finished = (id: string) =>
    waitFor(`run ${id} finished`, async () => {
      const r = (await t.request('GET', `/api/runs/${id}`)).body.run;
      return ['succeeded', 'failed'].includes(r?.state) && r;
    });

  beforeAll(async () => {
    // Non-JSON answers of different sizes: one error ("response is not JSON …, N bytes"), three variants.
    server = createServer((req, res) => {
      const [, kind, n] = (req.url ?? '/').split('/');
      if (kind === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('x'.repeat(Number(n)));
      }
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"down"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'opsledger-failures-'));
    const config = path.join(dir, 'opsledger.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [
          ...REFUSED,
          failing('disk-check', 'disk full on /var/lib/orders (98%)', 1),
          {
            name: 'chatty',
            schedule: 'on-demand',
            handler: { kind: 'command', argv: [node, '-e', "console.log('wrote the quick zebrafish report (100% done)')"] },
          },
        ],
      }),
    );
    t = await startTestApp({
      OPSLEDGER_CONFIG: config,
      WORKER_POLL_MS: '50',
      POLL_MIN_INTERVAL_SECONDS: '1',
      ADAPTIVE_POLLING_ENABLED: 'false',
      FAILURES_RETRY_CAP_DEFAULT: '20',
      FAILURES_RETRY_CAP_MAX: '50',
    });
    for (const role of ['viewer', 'operator'] as const) {
      const res = await t.request('POST', '/api/auth/tokens', { body: { name: `acme-${role}`, role, tenant: 'acme', reason: 'e2e' } });
      expect(res.status).toBe(201);
      if (role === 'viewer') acmeViewer = res.body.token;
      else acmeOperator = res.body.token;
    }
    for (const job of ['orders-sync', 'invoice-export', 'ledger-close', 'disk-check', 'chatty']) runIds[job] = await run(job);
    for (const id of Object.values(runIds)) await finished(id);
    await waitForProjections(t);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups three variants of one error from real failing runs under one signature; a different error is its own group', async () => {
    const res = await t.request('GET', '/api/failures/groups?source=runs');
    expect(res.status).toBe(200);
    const refused = res.body.groups.find((g: { signature: string }) => g.signature === SIG);
    expect(refused).toMatchObject({
      count: 3,
      pattern: 'exit code <n>: connection refused <ip>:<port> after <n> ms',
      jobs: {
        total: 3,
        top: expect.arrayContaining([
          { name: 'orders-sync', count: 1 },
          { name: 'ledger-close', count: 1 },
        ]),
      },
      tenants: {
        total: 2,
        top: [
          { name: 'acme', count: 2 },
          { name: 'globex', count: 1 },
        ],
      },
      example: { error: expect.stringMatching(/^exit code \d: connection refused /i), runId: expect.any(String), job: expect.any(String) },
    });
    expect(Date.parse(refused.firstSeen)).toBeLessThanOrEqual(Date.parse(refused.lastSeen));
    const disk = res.body.groups.find((g: { signature: string }) => g.signature !== SIG);
    expect(disk).toMatchObject({ count: 1, pattern: 'exit code <n>: disk full on <path> (<n>%)', jobs: { total: 1 } });
    expect(res.body.groups).toHaveLength(2);
    // The drill-in lists exactly the runs the group counts.
    const listed = await t.request('GET', refused.runs);
    expect(listed.body.runs.map((r: { runId: string }) => r.runId).sort()).toEqual(
      [runIds['orders-sync'], runIds['invoice-export'], runIds['ledger-close']].sort(),
    );
    expect(listed.body.runs.every((r: { errorSignature: string }) => r.errorSignature === SIG)).toBe(true);
  });

  it("a tenant-scoped token sees its tenant's failures only, whatever tenant it asks for", async () => {
    const mine = await t.request('GET', '/api/failures/groups?source=runs', { token: acmeViewer });
    expect(mine.body.groups).toEqual([expect.objectContaining({ signature: SIG, count: 2, tenants: { total: 1, top: [{ name: 'acme', count: 2 }] } })]);
    const asked = await t.request('GET', '/api/failures/groups?source=runs&tenant=globex', { token: acmeViewer });
    expect(asked.body.groups).toEqual([]);
    expect((await t.request('GET', '/api/failures/groups?source=runs&tenant=globex')).body.groups[0]).toMatchObject({ count: 1 });
  });

  it('groups the failed polls of three targets against a real HTTP server by one signature, apart from the 503s', async () => {
    const targets = [17, 2048, 300].map((n, i) => ({ name: `shop-${i}`, url: `${base}/html/${n}` }));
    for (const { name, url } of [...targets, { name: 'shop-down', url: `${base}/down` }]) {
      const res = await t.request('POST', '/api/targets', {
        body: { type: 'svc', name, intervalSeconds: 1, probe: { kind: 'http', url, jsonCheck: { path: 'status', equals: 'ok' } }, reason: 'e2e' },
      });
      expect(res.status).toBe(201);
    }
    const notJson = errorSignature('response is not JSON (status 200, text/html, 1 bytes)');
    const groups = await waitFor('failed polls of every target, grouped', async () => {
      await waitForProjections(t);
      const res = await t.request('GET', '/api/failures/groups?source=polls');
      const g = res.body.groups as { signature: string; targets: { total: number } }[];
      return g.find((x) => x.signature === notJson)?.targets.total === 3 && g.length === 2 && g;
    });
    const html = groups.find((g) => g.signature === notJson)!;
    expect(html).toMatchObject({
      pattern: 'response is not json (status <n>, text/html, <n> bytes)',
      count: expect.any(Number),
      targets: { total: 3, top: expect.arrayContaining(targets.map((x) => expect.objectContaining({ name: `svc::${x.name}` }))) },
      example: { error: expect.stringMatching(/^response is not JSON \(status 200, text\/html, \d+ bytes\)$/), target: expect.stringMatching(/^svc::shop-/) },
    });
    expect(groups.find((g) => g.signature !== notJson)).toMatchObject({
      pattern: '<n> service unavailable',
      targets: { total: 1, top: [{ name: 'svc::shop-down' }] },
    });
    const one = await t.request('GET', '/api/failures/groups?source=polls&target=svc::shop-down');
    expect(one.body.groups.map((g: { signature: string }) => g.signature)).toEqual([errorSignature('503 service unavailable')]);
    for (const { name } of [...targets, { name: 'shop-down' }]) await t.request('DELETE', `/api/targets/svc::${name}`, { body: { reason: 'e2e done' } });
  });

  it('q finds a run by a word in its log tail (case-insensitive substring, trigram index), and % matches itself', async () => {
    const byWord = await t.request('GET', '/api/runs?q=ZEBRAfish');
    expect(byWord.body.runs.map((r: { runId: string }) => r.runId)).toEqual([runIds.chatty]);
    expect((await t.request('GET', '/api/runs?q=100%25 done')).body.runs.map((r: { runId: string }) => r.runId)).toEqual([runIds.chatty]);
    expect((await t.request('GET', '/api/runs?q=zebra_ish')).body.runs).toEqual([]);
    expect((await t.request('GET', '/api/runs?q=refused&job=ledger-close')).body.runs.map((r: { runId: string }) => r.runId)).toEqual([runIds['ledger-close']]);
    // The planner can use the trigram index for the search expression (sequential scans off to ask it).
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query(
        `EXPLAIN SELECT key FROM rm_job_runs WHERE (coalesce(doc->>'error', '') || ' ' || coalesce(doc->>'logTail', '')) ILIKE '%zebrafish%'`,
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('rm_job_runs_text_trgm');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('filters by trigger, actor, exit code, state, tenant, window and pages with a cursor', async () => {
    const ids = async (qs: string) => ((await t.request('GET', `/api/runs?${qs}`)).body.runs as { runId: string }[]).map((r) => r.runId);
    expect(await ids('exitCode=2')).toEqual([runIds['invoice-export']]);
    expect((await ids('state=failed&tenant=acme')).sort()).toEqual([runIds['orders-sync'], runIds['invoice-export']].sort());
    expect(await ids('trigger=schedule')).toEqual([]);
    expect((await ids('trigger=manual&actor=bootstrap-admin')).length).toBe(5);
    expect(await ids('actor=somebody-else')).toEqual([]);
    const chatty = (await t.request('GET', `/api/runs/${runIds.chatty}`)).body.run;
    expect(await ids(`from=${encodeURIComponent(chatty.createdAt)}`)).toContain(runIds.chatty);
    expect(await ids(`to=${encodeURIComponent(chatty.createdAt)}`)).not.toContain(runIds.chatty);
    expect(await ids(`signature=${SIG}&tenant=globex`)).toEqual([runIds['ledger-close']]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { runs: { runId: string }[]; nextCursor: string | null } } = await t.request(
        'GET',
        `/api/runs?trigger=manual&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.runs.map((r) => r.runId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(await ids('trigger=manual&limit=500'));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.each([
    ['q=ab', 'q'],
    ['q=' + encodeURIComponent('bad\u0000'), 'q'],
    ['exitCode=1e99', 'exitCode'],
    ['exitCode=99999999999', 'exitCode'],
    ['exitCode=one', 'exitCode'],
    ['signature=XYZ', 'signature'],
    ['trigger=cron', 'trigger'],
    ['from=yesterday', 'from'],
    ['from=0000-01-01T00:00:00Z', 'from'],
    ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'to'],
    ['cursor=not-a-cursor', 'cursor'],
    ['limit=0', 'limit'],
    ['colour=red', 'colour'],
  ])('GET /api/runs?%s → 400 naming %s, nothing appended', async (qs, field) => {
    const before = await head();
    const res = await t.request('GET', `/api/runs?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(new RegExp(`^${field}: `));
    expect(await head()).toEqual(before);
  });

  it('a query string cannot carry a lone surrogate: its UTF-8 bytes decode to U+FFFD, searched like any text', async () => {
    const before = await head();
    const res = await t.request('GET', '/api/runs?q=%ED%A0%80abc');
    expect([res.status, res.body.runs]).toEqual([200, []]);
    expect(await head()).toEqual(before);
  });

  it.each([
    ['source=all', 'source'],
    ['source=runs&target=svc::a', 'target'],
    ['source=polls&job=x', 'job'],
    ['source=runs&from=2026-13-01T00:00:00Z', 'from'],
    ['source=runs&limit=201', 'limit'],
  ])('GET /api/failures/groups?%s → 400 naming %s', async (qs, field) => {
    const res = await t.request('GET', `/api/failures/groups?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(new RegExp(`^${field}: `));
  });

  it('a rejected bulk retry (bad confirm, over cap, cap above the highest, no confirm, bad signature) appends nothing', async () => {
    const before = await head();
    const post = (body: Record<string, unknown>, sig = SIG) =>
      t.request('POST', `/api/failures/groups/${sig}/retry`, { body: { reason: 'db is back', ...body } });
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ confirm: 2 }, 409, 'confirm'],
      [{ confirm: 3, cap: 2 }, 409, 'cap'],
      [{ confirm: 3, cap: 51 }, 400, 'cap'],
      [{}, 400, 'confirm'],
      [{ confirm: '3' }, 400, 'confirm'],
      [{ confirm: 3, from: 'soon' }, 400, 'from'],
      [{ confirm: 3 }, 400, 'signature', 'NOT-A-SIG'],
    ];
    for (const [body, status, field, sig] of cases) {
      const res = await post(body, sig);
      expect([res.status, res.body.message]).toEqual([status, expect.stringMatching(new RegExp(`^${field}: `))]);
    }
    for (const [raw, field] of [
      ['{"reason":"db \\ud800 back","confirm":3}', 'reason'],
      ['{"reason":"db back","confirm":3,"job":"a\\u0000b"}', 'job'],
      ['{"reason":"db back","confirm":1e999}', 'confirm'],
    ]) {
      const res = await t.request('POST', `/api/failures/groups/${SIG}/retry`, { body: raw });
      expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(new RegExp(`^${field}: `))]);
    }
    const none = await post({ confirm: 1 }, '0123456789abcdef');
    expect(none.status).toBe(404);
    expect(await head()).toEqual(before);
  });

  it('a dry run lists what would be retried; the bulk retry is ONE audited action, in one transaction with every retry it caused', async () => {
    const dry = await t.request('POST', `/api/failures/groups/${SIG}/retry`, { body: { reason: 'db is back', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, count: 3, cap: 20, notRetried: [] });
    expect(dry.body.wouldRetry.map((r: { runId: string }) => r.runId).sort()).toEqual(
      [runIds['orders-sync'], runIds['invoice-export'], runIds['ledger-close']].sort(),
    );
    const before = await head();
    const res = await t.request('POST', `/api/failures/groups/${SIG}/retry`, { body: { reason: 'db is back', confirm: dry.body.count } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ dryRun: false, count: 3, notRetried: [] });
    const { rows: entries } = await t.db.pool.query(
      `SELECT event_id::text AS id, data, transaction_id::text AS tx FROM events WHERE type = 'OperatorActionRecorded' AND position > $1`,
      [before.p],
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].id).toBe(res.body.auditEventId);
    expect(entries[0].data).toMatchObject({
      action: 'failures.retry',
      target: `signature:${SIG}`,
      reason: 'db is back',
      outcome: 'applied',
      details: { source: 'runs', signature: SIG, retried: expect.any(Array) },
    });
    const newIds = res.body.retried.map((r: { newRunId: string }) => r.newRunId);
    expect(entries[0].data.details.retried.map((r: { newRunId: string }) => r.newRunId).sort()).toEqual([...newIds].sort());
    const { rows: enqueued } = await t.db.pool.query(
      `SELECT data->>'runId' AS run, data->>'retryOf' AS of, metadata->>'causationId' AS cause, transaction_id::text AS tx FROM events WHERE type = 'RunEnqueued' AND position > $1`,
      [before.p],
    );
    expect(enqueued.map((e) => e.run).sort()).toEqual([...newIds].sort());
    expect(enqueued.every((e) => e.cause === res.body.auditEventId && e.tx === entries[0].tx)).toBe(true);
    // The retries fail the same way; a second dry run skips the originals (already retried) and offers the retries.
    for (const id of newIds) expect(await finished(id)).toMatchObject({ state: 'failed', trigger: 'retry', errorSignature: SIG });
    await waitForProjections(t);
    const again = await t.request('POST', `/api/failures/groups/${SIG}/retry`, { body: { reason: 'db is back', dryRun: true } });
    expect(again.body.count).toBe(3);
    expect(again.body.notRetried).toHaveLength(3);
    expect(again.body.notRetried[0].reason).toMatch(/^already retried by run /);
  });

  it("a tenant-scoped operator retries its tenant's runs only; another tenant's signature is a 404", async () => {
    const dry = await t.request('POST', `/api/failures/groups/${SIG}/retry`, { token: acmeOperator, body: { reason: 'acme db back', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.wouldRetry.every((r: { tenant: string }) => r.tenant === 'acme')).toBe(true);
    const disk = errorSignature('exit code 1: disk full on /var/lib/orders (98%)');
    const before = await head();
    const res = await t.request('POST', `/api/failures/groups/${disk}/retry`, { token: acmeOperator, body: { reason: 'x', confirm: 1 } });
    expect(res.status).toBe(404);
    expect(await head()).toEqual(before);
  });

  it('a rebuild of the run history signs failures recorded before signatures existed', async () => {
    await t.db.pool.query(`UPDATE rm_job_runs SET doc = doc - 'errorSignature'`);
    expect((await t.request('GET', `/api/runs?signature=${SIG}`)).body.runs).toEqual([]);
    const rebuild = await t.request('POST', '/api/projections/job_runs/rebuild', { body: { reason: 'e2e' } });
    expect(rebuild.status).toBeLessThan(300);
    await waitFor(
      'the rebuilt history has the signatures again',
      async () => (await t.request('GET', `/api/runs?signature=${SIG}&limit=500`)).body.runs.length === 6,
    );
  });
});

/**
 * `npm run bench:health`: GET /api/monitoring/scheduler/health with BENCH_TARGETS (10,000)
 * instances in the read model, measured with autocannon (BENCH_CONNECTIONS 10, BENCH_DURATION
 * 10 s), served from the read cache (ADR 0016, default settings):
 *   (A) right after the targets' own events; (B) after BENCH_EVENTS (1,000,000) more events in the
 *   log — flat, since the body depends on the read model's position, not on the log's size;
 *   (C) while the targets projection's checkpoint moves every 50 ms (a busy log: the body is rebuilt
 *   once per READ_CACHE_INTERVAL_MS); (D) with If-None-Match = the current ETag (304s per second; an app with
 *   READ_CACHE_MAX_AGE_MS=600000, so the tag does not age out during the run);
 *   (E) built per request (READ_CACHE_INTERVAL_MS=0, a second app on the same database: the
 *   pre-cache path).
 * Reference in the same run: a bare Fastify route returning the same JSON from memory. Also times
 * serialising the body with a fast-json-stringify schema serialiser against JSON.stringify.
 * Prints req/s, p50/p99 latency and the ratios. Embedded PostgreSQL in a temp dir; loopback only.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { foldInMemory } from '../projections/projection';
import { targetsProjection } from '../projections/targets/targets.projection';
import type { TargetState } from '../src/polling/target.state';
import { evolveTarget } from '../src/polling/target.state';
import { createApp } from '../src/bootstrap';
import { TEST_SERVER_KEYS } from '../test/support/server-keys';
import { loadConfig } from '../src/config/config';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import type { RecordedEvent } from '../src/event-store/envelope';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import type { TargetEvent } from '../src/polling/events/target.events';
import type { ProbeResult } from '../src/polling/probes/probe';
import { pollRules } from '../src/polling/poll-rules';
import { TargetCommand, targetDecider } from '../src/polling/target.decider';
import { eventsOrThrow } from '../src/shared/decider';
import { targetStream } from '../src/polling/events/target-spec';
import { liveTable, RowStore } from '../src/event-store/postgres/row-store';
import { loadAverages, ratioOf, runBench, writeResults } from './result-file';
import { serializeSchedulerHealth } from './scheduler-health.schema';
import { freePort } from '../test/support/free-port';

const N = Number(process.env.BENCH_TARGETS ?? 10_000);
const EXTRA_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const TOKEN = 'olt_bench_health_admin_token_0123456789abcdef';
const log = pino({ level: 'warn' });

interface Run {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  bytes: number;
  /** Answers by status class (304s are in 3xx). */
  by: { '2xx': number; '3xx': number };
}

async function cannon(url: string, headers: Record<string, string> = {}): Promise<Run> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    bytes: r.throughput.average,
    by: { '2xx': r['2xx'], '3xx': r['3xx'] },
  };
}

/** Median time of `n` calls of `f`, ms. */
function timeIt(n: number, f: () => unknown): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(n / 2)];
}

/** A realistic history per target: successes, and for some a failure streak, breaker and dead-letter. */
function history(i: number, config: ReturnType<typeof loadConfig>): TargetEvent[] {
  const key = `svc::t${i}`;
  const t0 = Date.now() - 3_600_000;
  const decider = targetDecider({ rules: pollRules(config.polling), random: () => 0.5, intervalFactor: 1 });
  const decide = (cmd: TargetCommand, state: TargetState | null) => eventsOrThrow(decider.decide(cmd, state));
  const events: TargetEvent[] = [];
  let s: TargetState | null = null;
  const apply = (evs: readonly TargetEvent[]) => {
    for (const e of evs) s = evolveTarget(s, e);
    events.push(...evs);
  };
  apply(
    decide(
      {
        type: 'RegisterTarget',
        spec: { type: ['pve', 'pbs', 'pmg'][i % 3], name: `t${i}`, probe: { kind: 'http', url: `http://10.0.${(i >> 8) & 255}.${i & 255}:8006/ping` } },
        source: 'api',
        at: new Date(t0),
      },
      null,
    ).map((e) => ({ ...e, data: { ...e.data, key } }) as TargetEvent),
  );
  const fails = i % 10 === 0 ? 6 : i % 7 === 0 ? 2 : 0;
  const ok: ProbeResult = { ok: true, statusCode: 200, durationMs: 12 };
  const bad: ProbeResult = { ok: false, statusCode: 503, durationMs: 40, failureKind: 'http_5xx', category: 'transient', message: '503 service unavailable' };
  for (let k = 0; k < 4 + fails; k++) {
    const at = new Date(t0 + k * 10_000);
    apply(decide({ type: 'RecordPollOutcome', key, at, result: k < 4 ? ok : bad, startedAt: at, finishedAt: at, dueAt: at, trigger: 'schedule' }, s));
  }
  return events;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-bench-health-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log });
  const pool = new Pool({ connectionString: db.url, max: 20 });
  let app: Awaited<ReturnType<typeof createApp>> | null = null;
  let uncached: Awaited<ReturnType<typeof createApp>> | null = null;
  let revalidating: Awaited<ReturnType<typeof createApp>> | null = null;
  let mover: NodeJS.Timeout | null = null;
  const bare = Fastify();
  try {
    await runMigrations(db.url);
    const env = {
      LOG_LEVEL: 'warn',
      ...TEST_SERVER_KEYS,
      DATABASE_URL: db.url,
      OPSLEDGER_ADMIN_TOKEN: TOKEN,
      PROJECTION_RUNNER_AUTOSTART: 'false',
      POLL_SCHEDULER_ENABLED: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      QUIET_HOURS: 'off',
    };
    const config = loadConfig(env);
    const store = new PostgresEventStore(pool);

    // The targets' own events, appended per stream; their rows folded from what was appended.
    const t0 = Date.now();
    const recorded: RecordedEvent[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < N; i = next++) {
          const evs = history(i, config);
          const res = await store.append(
            targetStream(`svc::t${i}`),
            evs.map((e) => ({ type: e.type, data: e.data })),
            'no_stream',
          );
          recorded.push(...res.events);
        }
      }),
    );
    const rows = foldInMemory(targetsProjection, recorded);
    const last = new Map(recorded.map((e) => [e.streamId, e.revision]));
    const rowStore = new RowStore<TargetState>(liveTable('targets'));
    const entries = [...rows];
    for (let i = 0; i < entries.length; i += 1000) {
      await rowStore.save(
        pool,
        new Map(entries.slice(i, i + 1000).map(([k, doc]) => [k, { doc, streamId: targetStream(k), revision: last.get(targetStream(k)) ?? null }])),
      );
    }
    console.log(`${N} targets, ${recorded.length} events, rows written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    app = await createApp(config, db.url, log);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/monitoring/scheduler/health`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const body = (await (await fetch(url, { headers: auth })).json()) as { instances: unknown[] };
    if (body.instances.length !== N) throw new Error(`expected ${N} instances, got ${body.instances.length}`);

    const a = await cannon(url, auth);
    // The reference, measured next to (A) and again at the end: a change of load hits both alike.
    bare.get('/api/monitoring/scheduler/health', async () => body);
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/api/monitoring/scheduler/health`;
    const ref1 = await cannon(bareUrl);
    const eventsA = Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);

    // Grow the log by EXTRA_EVENTS poll outcomes spread over the target streams (bulk SQL: volume is the point).
    const f0 = Date.now();
    for (let done = 0; done < EXTRA_EVENTS; done += 200_000) {
      const n = Math.min(200_000, EXTRA_EVENTS - done);
      await pool.query(
        `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
         SELECT 'target-svc::t' || (g % $3), 100000 + g / $3, gen_random_uuid(), 'PollSucceeded', 1,
                jsonb_build_object('key', 'svc::t' || (g % $3), 'at', now(), 'durationMs', 12, 'statusCode', 200, 'trigger', 'schedule'),
                jsonb_build_object('occurredAt', now())
           FROM generate_series($1::bigint, $1::bigint + $2 - 1) g`,
        [done, n, N],
      );
    }
    await pool.query('ANALYZE events');
    const eventsB = Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    console.log(`added ${EXTRA_EVENTS} events in ${((Date.now() - f0) / 1000).toFixed(1)} s`);
    const b = await cannon(url, auth);

    // (C) A busy log: the targets checkpoint moves every 50 ms, as the projection runner would move it.
    let moved = 0;
    mover = setInterval(() => {
      moved++;
      pool
        .query(
          `INSERT INTO projection_checkpoints AS p (name, version, state, checkpoint, position) VALUES ('targets', $2, 'live', '0:' || $1::text, $1::bigint)
           ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, position = EXCLUDED.position`,
          [String(1_000_000 + moved), targetsProjection.version],
        )
        .catch(() => undefined);
    }, 50);
    const c = await cannon(url, auth);
    clearInterval(mover);
    mover = null;

    // (D) Revalidation: If-None-Match with the current tag, on an app whose bodies do not age out
    // during the run (READ_CACHE_MAX_AGE_MS=600000): with the default 5 s the tag changes every 5 s.
    revalidating = await createApp(loadConfig({ ...env, READ_CACHE_MAX_AGE_MS: '600000' }), db.url, log);
    await revalidating.listen({ port: 0, host: '127.0.0.1' });
    const revalidateUrl = `http://127.0.0.1:${(revalidating.getHttpServer().address() as { port: number }).port}/api/monitoring/scheduler/health`;
    const current = await fetch(revalidateUrl, { headers: auth });
    await current.arrayBuffer(); // an unread body would hold the connection, and app.close() with it
    const etag = current.headers.get('etag')!;
    const d = await cannon(revalidateUrl, { ...auth, 'if-none-match': etag });
    await revalidating.close();
    revalidating = null;

    // (E) The pre-cache path: built from rm_targets per request.
    uncached = await createApp(loadConfig({ ...env, READ_CACHE_INTERVAL_MS: '0' }), db.url, log);
    await uncached.listen({ port: 0, host: '127.0.0.1' });
    const e = await cannon(`http://127.0.0.1:${(uncached.getHttpServer().address() as { port: number }).port}/api/monitoring/scheduler/health`, auth);
    await uncached.close();
    uncached = null;

    // Serialisers on the same body (the cache serialises once per rebuild).
    const fjsMs = timeIt(7, () => serializeSchedulerHealth(body as never));
    const jsonMs = timeIt(7, () => JSON.stringify(body));

    const ref2 = await cannon(bareUrl);
    const ref: Run = {
      reqPerSec: (ref1.reqPerSec + ref2.reqPerSec) / 2,
      p50: Math.round((ref1.p50 + ref2.p50) / 2),
      p99: Math.round((ref1.p99 + ref2.p99) / 2),
      non2xx: ref1.non2xx + ref2.non2xx,
      bytes: (ref1.bytes + ref2.bytes) / 2,
      by: { '2xx': ref1.by['2xx'] + ref2.by['2xx'], '3xx': 0 },
    };

    const kb = (JSON.stringify(body).length / 1024).toFixed(0);
    console.log(`\nscheduler health bench: ${N} instances, response ${kb} KiB, ${CONNECTIONS} connections, ${DURATION} s per run`);
    const row = (r: Run) => ({ 'req/s': r.reqPerSec.toFixed(1), 'p50 ms': r.p50, 'p99 ms': r.p99, '2xx': r.by['2xx'], '3xx': r.by['3xx'], non2xx: r.non2xx });
    console.table({
      [`(A) opsledger, read cache, ${eventsA} events`]: row(a),
      [`(B) opsledger, read cache, ${eventsB} events`]: row(b),
      [`(C) same, checkpoint moving every 50 ms`]: row(c),
      [`(D) same, If-None-Match (304)`]: row(d),
      [`(E) built per request (READ_CACHE_INTERVAL_MS=0)`]: row(e),
      'bare Fastify, same JSON from memory (next to A)': row(ref1),
      'bare Fastify, same JSON from memory (at the end)': row(ref2),
    });
    const r = (x: Run) => (x.reqPerSec / ref.reqPerSec).toFixed(2);
    console.log(`ratio opsledger/bare req/s: ${r(a)} (A), ${r(b)} (B), ${r(c)} (C, busy log), ${r(e)} (E, no cache); 304s: ${d.reqPerSec.toFixed(0)}/s`);
    console.log(`req/s after ${EXTRA_EVENTS} more events / before: ${(b.reqPerSec / a.reqPerSec).toFixed(2)} (≈1: flat as the log grows)`);
    console.log(`serialising the body: fast-json-stringify (schema) ${fjsMs.toFixed(1)} ms, JSON.stringify ${jsonMs.toFixed(1)} ms`);
    console.log(`load average ${loadAverages().join(' ')}`);
    writeResults(
      'health',
      [
        {
          work: `scheduler health, ${N.toLocaleString('en-US')} instances (${kb} KiB body), ${eventsA.toLocaleString('en-US')} events`,
          figure: Math.round(a.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory (mean of a run next to A and one at the end)',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(a.reqPerSec, ref.reqPerSec),
          goal: '≥ 0.5×',
        },
        {
          work: `same, after ${EXTRA_EVENTS.toLocaleString('en-US')} more events (${eventsB.toLocaleString('en-US')})`,
          figure: Math.round(b.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory (mean of a run next to A and one at the end)',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(b.reqPerSec, ref.reqPerSec),
          goal: 'flat as the log grows',
        },
        {
          work: 'same, the read model moving every 50 ms (rebuilt once per READ_CACHE_INTERVAL_MS)',
          figure: Math.round(c.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory (mean of a run next to A and one at the end)',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(c.reqPerSec, ref.reqPerSec),
          goal: null,
        },
        {
          work: 'same, If-None-Match with the current ETag (304, no body)',
          figure: Math.round(d.reqPerSec),
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory (mean of a run next to A and one at the end)',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(d.reqPerSec, ref.reqPerSec),
          goal: null,
        },
        {
          work: 'same, built per request (READ_CACHE_INTERVAL_MS=0: no cache)',
          figure: Math.round(e.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory (mean of a run next to A and one at the end)',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(e.reqPerSec, ref.reqPerSec),
          goal: null,
        },
      ],
      { before: a, after: b, moving: c, notModified: d, uncached: e, bare: ref, serialiseMs: { fastJsonStringify: fjsMs, jsonStringify: jsonMs } },
    );
  } finally {
    if (mover) clearInterval(mover);
    await uncached?.close().catch(() => undefined);
    await revalidating?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await bare.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('health', main);

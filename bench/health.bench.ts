/**
 * `npm run bench:health`: GET /api/monitoring/scheduler/health with BENCH_TARGETS (10,000)
 * instances in the read model, measured with autocannon (BENCH_CONNECTIONS 10, BENCH_DURATION
 * 10 s) twice: (A) right after the targets' own events, (B) after BENCH_EVENTS (1,000,000) more
 * events in the log — the response time must not grow with the log, since the endpoint reads only
 * rm_targets. Reference in the same run: a bare Fastify route returning the same JSON from memory.
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
import { ratioOf, runBench, writeResults } from './result-file';
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
}

async function cannon(url: string, headers: Record<string, string> = {}): Promise<Run> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, bytes: r.throughput.average };
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

    bare.get('/api/monitoring/scheduler/health', async () => body);
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const ref = await cannon(`http://127.0.0.1:${(bare.server.address() as { port: number }).port}/api/monitoring/scheduler/health`);

    const kb = (JSON.stringify(body).length / 1024).toFixed(0);
    console.log(`\nscheduler health bench: ${N} instances, response ${kb} KiB, ${CONNECTIONS} connections, ${DURATION} s per run`);
    console.table({
      [`opsledger, ${eventsA} events`]: { 'req/s': a.reqPerSec.toFixed(1), 'p50 ms': a.p50, 'p99 ms': a.p99, non2xx: a.non2xx },
      [`opsledger, ${eventsB} events`]: { 'req/s': b.reqPerSec.toFixed(1), 'p50 ms': b.p50, 'p99 ms': b.p99, non2xx: b.non2xx },
      'bare Fastify, same JSON from memory': { 'req/s': ref.reqPerSec.toFixed(1), 'p50 ms': ref.p50, 'p99 ms': ref.p99, non2xx: ref.non2xx },
    });
    console.log(`ratio opsledger/bare req/s: ${(a.reqPerSec / ref.reqPerSec).toFixed(2)} (A), ${(b.reqPerSec / ref.reqPerSec).toFixed(2)} (B)`);
    console.log(`p99 after ${EXTRA_EVENTS} more events / before: ${(b.p99 / a.p99).toFixed(2)} (≈1 means the response time does not grow with the log)`);
    writeResults(
      'health',
      [
        {
          work: `scheduler health, ${N.toLocaleString('en-US')} instances (${kb} KiB body), ${eventsA.toLocaleString('en-US')} events`,
          figure: Math.round(a.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(a.reqPerSec, ref.reqPerSec),
          goal: '≥ 0.5×',
        },
        {
          work: `same, after ${EXTRA_EVENTS.toLocaleString('en-US')} more events`,
          figure: Math.round(b.reqPerSec * 10) / 10,
          unit: 'req/s',
          reference: 'bare Fastify, same JSON from memory',
          referenceFigure: Math.round(ref.reqPerSec * 10) / 10,
          ratio: ratioOf(b.reqPerSec, ref.reqPerSec),
          goal: 'flat as the log grows',
        },
      ],
      { before: a, after: b, bare: ref },
    );
  } finally {
    await app?.close().catch(() => undefined);
    await bare.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('health', main);

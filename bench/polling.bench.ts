/**
 * `npm run bench:polling`, two phases against one local keep-alive HTTP server, POLL_CONCURRENCY
 * BENCH_CONCURRENCY (100):
 *
 * 1. Keeping up: BENCH_TARGETS (10,000) http targets at a fixed BENCH_INTERVAL_SECONDS (10 s →
 *    1,000 polls/s demanded), measured for BENCH_SECONDS (30 s) after BENCH_WARMUP_SECONDS (10 s).
 *    Prints start-up load time, polls/s sustained (vs demanded), scheduler lateness p50/p99 (probe
 *    start − due time), event-append p99, projection lag p99 (the real runner on rm_targets,
 *    sampled every 250 ms) and the bench process's memory: RSS, V8 heap total/used, external and
 *    array buffers at the highest RSS, and the live heap after a full GC at the end.
 * 2. Saturation: BENCH_SATURATION_TARGETS (5,000) more targets at BENCH_SATURATION_INTERVAL_SECONDS
 *    (0.5 s, POLL_MIN_INTERVAL_SECONDS lowered to it for this scheduler only), so demand is far above
 *    what one process can poll; polls/s recorded in the log (outcome events whose `at` falls in the
 *    window) over BENCH_SATURATION_SECONDS (15 s) after BENCH_SATURATION_WARMUP_SECONDS (5 s).
 *
 * Then the references, in the same process at the same concurrency for BENCH_REFERENCE_SECONDS
 * (10 s) each, no scheduling and no events: bare `fetch` through the egress Agent (the policy-checking
 * connector the service's http probe uses; the ratio's reference) and Node's global `fetch`.
 * Embedded PostgreSQL in a temp dir, loopback only, stops by itself.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { targetsProjection } from '../projections/targets/targets.projection';
import { loadConfig } from '../src/config/config';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { ProbeRegistry } from '../src/polling/probes/probe-registry';
import { Egress } from '../src/egress/egress-fetch';
import { parseAllowList } from '../src/shared/allow-list';
import { PollScheduler } from '../src/polling/scheduler/poll-scheduler';
import { TargetRepository } from '../src/polling/target-repository';
import { targetStream } from '../src/polling/events/target-spec';
import { projectionStatus } from '../src/projection-runner/projection-status';
import { ProjectionWorker } from '../src/projection-runner/projection-worker';
import { systemClock } from '../src/shared/clock';
import { freePort } from '../test/support/free-port';
import { ratioOf, runBench, writeResults } from './result-file';

const N = Number(process.env.BENCH_TARGETS ?? 10_000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const SAT_TARGETS = Number(process.env.BENCH_SATURATION_TARGETS ?? 5_000);
const SAT_INTERVAL_S = Number(process.env.BENCH_SATURATION_INTERVAL_SECONDS ?? 0.5);
const SAT_SECONDS = Number(process.env.BENCH_SATURATION_SECONDS ?? 15);
const SAT_WARMUP = Number(process.env.BENCH_SATURATION_WARMUP_SECONDS ?? 5);
const REF_SECONDS = Number(process.env.BENCH_REFERENCE_SECONDS ?? 10);
const log = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const f1 = (n: number | null) => (n === null || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** This process's memory split: RSS counts the V8 heap (live objects and garbage not yet collected), native memory and code. */
const memorySample = () => {
  const m = process.memoryUsage();
  return { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
};

/** `concurrency` loops calling `once` for `seconds`: completed calls per second and failures (a saturated machine: counted, not fatal). */
async function closedLoop(concurrency: number, seconds: number, once: () => Promise<void>): Promise<{ perSecond: number; failures: number }> {
  let done = 0;
  let failures = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        try {
          await once();
          done++;
        } catch {
          failures++;
        }
      }
    }),
  );
  return { perSecond: done / ((performance.now() - t0) / 1000), failures };
}

/** Poll outcomes the log recorded with `at` in [from, to). */
async function outcomesBetween(pool: Pool, from: Date, to: Date): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed') AND (data->>'at')::timestamptz >= $1 AND (data->>'at')::timestamptz < $2`,
    [from, to],
  );
  return rows[0].n;
}

async function register(events: PostgresEventStore, prefix: string, count: number, intervalS: number, firstDueMs: number, url: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const key = `svc::${prefix}${i}`;
        const at = new Date(firstDueMs + Math.random() * intervalS * 1000).toISOString();
        const spec = { type: 'svc', name: `${prefix}${i}`, probe: { kind: 'http', url }, intervalSeconds: intervalS, adaptive: false };
        await events.append(targetStream(key), [{ type: 'TargetRegistered', data: { key, spec, source: 'api', at } }], 'no_stream');
      }
    }),
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-bench-polling-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
  const pool = new Pool({ connectionString: db.url, max: 20 });
  let store: PostgresEventStore | null = null;
  try {
    await runMigrations(db.url);
    const events = new PostgresEventStore(pool, { pollMs: 200 });
    store = events;
    const cfg = loadConfig({
      POLL_CONCURRENCY: String(CONCURRENCY),
      POLL_TIMEOUT_MS: '5000',
      SCHEDULER_TICK_MS: '50',
      SCHEDULER_REPORT_MS: '1000',
      QUIET_HOURS: 'off',
      LOG_LEVEL: 'warn',
      POLL_HEAP_GROWING_PERCENT: process.env.POLL_HEAP_GROWING_PERCENT,
    }).polling;

    // Register N targets, due at random instants over the first interval (as a fleet would be).
    const t0 = Date.now();
    await register(events, 't', N, INTERVAL_S, t0 + WARMUP * 250, url);
    console.log(`registered ${N} targets in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const repo = new TargetRepository(events, pool);
    const l0 = performance.now();
    // Only the count is kept: holding every loaded state for the whole run doubled the per-target memory the RSS figure shows.
    const loadedCount = (await repo.loadAll()).size;
    const loadMs = performance.now() - l0;

    const worker = new ProjectionWorker({
      pool,
      store: events as never,
      databaseUrl: db.url,
      projection: targetsProjection,
      log,
      options: { batchSize: 500, rebuildBatchSize: 1000, pollMs: 200, retryMs: 1000, lockRetryMs: 250, autoRebuild: true, swapLockTimeoutMs: 2000 },
    });
    worker.start();
    // The target server is on 127.0.0.1, which the egress policy refuses unless opened.
    const egress = new Egress({ allow: parseAllowList('127.0.0.1/32'), ownPorts: () => [], connectTimeoutMs: 5000, log });
    const newScheduler = (polling: typeof cfg) =>
      new PollScheduler({ store: events, repo, probes: new ProbeRegistry(egress), loops: null, clock: systemClock, log, cfg: polling, databaseUrl: db.url });
    const scheduler = newScheduler(cfg);
    const s0 = performance.now();
    scheduler.start();
    while (!scheduler.isActive || scheduler.stats.polls === 0) await sleep(5);
    const firstPollMs = performance.now() - s0;

    await sleep(WARMUP * 1000);
    scheduler.stats.lateness.reset();
    scheduler.stats.appendMs.reset();
    const polls0 = scheduler.stats.polls;
    const lags: number[] = [];
    const until = Date.now() + SECONDS * 1000;
    let atMaxRss = memorySample();
    while (Date.now() < until) {
      const [st] = await projectionStatus(pool, events as never, [targetsProjection]);
      lags.push(st.lag.seconds * 1000);
      const m = memorySample();
      if (m.rss > atMaxRss.rss) atMaxRss = m;
      await sleep(250);
    }
    const polls = scheduler.stats.polls - polls0;
    const stats = scheduler.stats;
    const beforeGc = memorySample();
    gc();
    gc();
    const afterGc = memorySample();
    await scheduler.stop();

    // Saturation: demand far above capacity, the same concurrency; polls/s as the log recorded them.
    await register(events, 's', SAT_TARGETS, SAT_INTERVAL_S, Date.now(), url);
    const saturating = newScheduler(
      loadConfig({
        POLL_CONCURRENCY: String(CONCURRENCY),
        POLL_TIMEOUT_MS: '5000',
        POLL_MIN_INTERVAL_SECONDS: String(Math.min(5, SAT_INTERVAL_S)),
        SCHEDULER_TICK_MS: '50',
        SCHEDULER_REPORT_MS: '1000',
        QUIET_HOURS: 'off',
        LOG_LEVEL: 'warn',
        POLL_HEAP_GROWING_PERCENT: process.env.POLL_HEAP_GROWING_PERCENT,
      }).polling,
    );
    saturating.start();
    await sleep(SAT_WARMUP * 1000);
    const satFrom = new Date();
    const satPolls0 = saturating.stats.polls;
    await sleep(SAT_SECONDS * 1000);
    const satTo = new Date();
    const satCounted = saturating.stats.polls - satPolls0;
    await saturating.stop();
    await worker.stop();
    const satRecorded = await outcomesBetween(pool, satFrom, satTo);
    const saturated = satRecorded / ((satTo.getTime() - satFrom.getTime()) / 1000);

    // References: the HTTP stack alone, same URL and concurrency, no scheduling and no events.
    const viaEgress = await closedLoop(CONCURRENCY, REF_SECONDS, async () => {
      const r = await egress.fetch(url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
    });
    const viaGlobal = await closedLoop(CONCURRENCY, REF_SECONDS, async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
    });
    await egress.close();

    const sustained = polls / SECONDS;
    const bare = viaEgress.perSecond;
    const satDemand = N / INTERVAL_S + SAT_TARGETS / SAT_INTERVAL_S;
    console.log(
      `\npolling bench: ${N} targets, interval ${INTERVAL_S} s (demand ${(N / INTERVAL_S).toFixed(0)} polls/s), concurrency ${CONCURRENCY}, ${SECONDS} s measured`,
    );
    console.table({
      'start-up: load all target states (ms)': f1(loadMs),
      'start-up: scheduler start → first poll (ms)': f1(firstPollMs),
      'targets loaded': loadedCount,
      'polls/s sustained': f1(sustained),
      'polls/s demanded': f1(N / INTERVAL_S),
      'lateness p50 (ms)': f1(stats.lateness.percentile(50)),
      'lateness p99 (ms)': f1(stats.lateness.percentile(99)),
      'event append p99 (ms)': f1(stats.appendMs.percentile(99)),
      'projection lag p99 (ms)': f1(pct(lags, 99)),
      'append conflicts': stats.conflicts,
      'ratio sustained / demanded': (sustained / (N / INTERVAL_S)).toFixed(2),
      [`saturation: polls/s recorded in the log (${N} at ${INTERVAL_S} s + ${SAT_TARGETS} at ${SAT_INTERVAL_S} s, demand ${satDemand.toFixed(0)}/s, ${SAT_SECONDS} s)`]:
        f1(saturated),
      'saturation: polls/s counted by the scheduler': f1(satCounted / SAT_SECONDS),
      'reference: bare fetch through the egress Agent, polls/s (same concurrency)': f1(bare),
      'reference: bare global fetch, polls/s (same concurrency)': f1(viaGlobal.perSecond),
      'reference: failures (egress / global)': `${viaEgress.failures} / ${viaGlobal.failures}`,
      'ratio saturation / bare fetch (egress Agent)': (saturated / bare).toFixed(2),
    });
    console.log('memory of the bench process (MB; it also runs the target server, the projection runner and ts-node):');
    console.table({ 'at the highest RSS': atMaxRss, 'end of the window': beforeGc, 'after a full GC': afterGc });
    writeResults(
      'polling',
      [
        {
          work: `polling, ${N.toLocaleString('en-US')} targets at ${INTERVAL_S} s, lateness p99 ${f1(stats.lateness.percentile(99))} ms, RSS ${f1(atMaxRss.rss)} MB (heap ${f1(atMaxRss.heapTotal)}, live after GC ${f1(afterGc.heapUsed)}; bench process incl. target server)`,
          figure: Math.round(sustained * 10) / 10,
          unit: 'polls/s',
          reference: 'demand',
          referenceFigure: N / INTERVAL_S,
          ratio: ratioOf(sustained, N / INTERVAL_S),
          goal: 'keeps up with demand (1.0×); RSS ≤ 300 MB',
        },
        {
          work: `polling at saturation (demand ${satDemand.toLocaleString('en-US')}/s), concurrency ${CONCURRENCY}, polls/s recorded in the log over ${SAT_SECONDS} s`,
          figure: Math.round(saturated * 10) / 10,
          unit: 'polls/s',
          reference: 'bare fetch through the egress Agent, same concurrency',
          referenceFigure: Math.round(bare),
          ratio: ratioOf(saturated, bare),
          goal: '≥ 0.5× bare fetch',
        },
      ],
      {
        memory: { atMaxRss, beforeGc, afterGc },
        references: { egressFetch: viaEgress, globalFetch: viaGlobal },
        saturation: { recorded: satRecorded, counted: satCounted },
      },
    );
  } finally {
    // The store's LISTEN connection is a checked-out client: pool.end() waits for it.
    await store?.close();
    await pool.end().catch(() => undefined);
    server.closeAllConnections();
    server.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('polling', main);

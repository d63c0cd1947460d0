/**
 * `npm run bench:polling`: BENCH_TARGETS (10,000) http targets against one local keep-alive HTTP
 * server, fixed interval BENCH_INTERVAL_SECONDS (10 s → 1,000 polls/s demanded), POLL_CONCURRENCY
 * BENCH_CONCURRENCY (100), for BENCH_SECONDS (30 s) after a BENCH_WARMUP_SECONDS (10 s) warm-up.
 * Prints: start-up load time of all targets, polls/s sustained (vs demanded), scheduler lateness
 * p50/p99 (probe start − due time), event-append p99, projection lag p99 (the real runner on
 * rm_targets, sampled every 250 ms), RSS; then a reference run in the same process — bare fetch
 * of the same URL at the same concurrency, no scheduling, no events — and the ratio.
 * Embedded PostgreSQL in a temp dir, loopback only, stops by itself.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
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
const log = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const f1 = (n: number | null) => (n === null || Number.isNaN(n) ? 'n/a' : n.toFixed(1));

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
    }).polling;

    // Register N targets, due at random instants over the first interval (as a fleet would be).
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < N; i = next++) {
          const key = `svc::t${i}`;
          const at = new Date(t0 + WARMUP * 250 + Math.random() * INTERVAL_S * 1000).toISOString();
          await events.append(
            targetStream(key),
            [
              {
                type: 'TargetRegistered',
                data: {
                  key,
                  spec: { type: 'svc', name: `t${i}`, probe: { kind: 'http', url }, intervalSeconds: INTERVAL_S, adaptive: false },
                  source: 'api',
                  at,
                },
              },
            ],
            'no_stream',
          );
        }
      }),
    );
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
    const scheduler = new PollScheduler({
      store: events,
      repo,
      probes: new ProbeRegistry(egress),
      loops: null,
      clock: systemClock,
      log,
      cfg,
      databaseUrl: db.url,
    });
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
    let rssMax = 0;
    while (Date.now() < until) {
      const [st] = await projectionStatus(pool, events as never, [targetsProjection]);
      lags.push(st.lag.seconds * 1000);
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      await sleep(250);
    }
    const polls = scheduler.stats.polls - polls0;
    const stats = scheduler.stats;
    await scheduler.stop();
    await worker.stop();
    await egress.close();

    // Reference: the HTTP stack alone, same URL and concurrency, no scheduling and no events.
    const refSeconds = Math.min(10, SECONDS);
    let refPolls = 0;
    let refFailures = 0;
    const refUntil = Date.now() + refSeconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < refUntil) {
          try {
            const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
            await r.arrayBuffer();
            refPolls++;
          } catch {
            refFailures++; // a saturated machine: counted, not fatal (the figures say so)
          }
        }
      }),
    );

    const sustained = polls / SECONDS;
    const bare = refPolls / refSeconds;
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
      'RSS max (MB, bench process incl. target server)': f1(rssMax / 1024 / 1024),
      'reference: bare fetch polls/s (same concurrency)': f1(bare),
      'reference: bare fetch timeouts': refFailures,
      'ratio sustained / demanded': (sustained / (N / INTERVAL_S)).toFixed(2),
      'ratio sustained / bare-fetch capacity': (sustained / bare).toFixed(2),
    });
    writeResults('polling', [
      {
        work: `polling, ${N.toLocaleString('en-US')} targets at ${INTERVAL_S} s (demand ${(N / INTERVAL_S).toFixed(0)}/s), lateness p99 ${f1(stats.lateness.percentile(99))} ms, RSS ${f1(rssMax / 2 ** 20)} MB`,
        figure: Math.round(sustained * 10) / 10,
        unit: 'polls/s',
        reference: 'bare fetch, same concurrency',
        referenceFigure: Math.round(bare),
        ratio: ratioOf(sustained, bare),
        goal: 'keeps up with demand; RSS ≤ 300 MB; ≥ 0.5× bare fetch at saturation',
      },
    ]);
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

/**
 * `npm run bench:jobs`: the job queue against graphile-worker 0.16 and pg-boss 10 on one embedded
 * PostgreSQL (each in its own database), no-op jobs, in one run:
 *   (a) drain BENCH_DRAIN_JOBS (20,000) queued jobs at concurrency 10 → jobs/s;
 *   (b) 8 callers enqueue at a steady pace (BENCH_RATE_PER_CALLER, 25/s each = 200/s) for
 *       BENCH_STEADY_SECONDS (20 s) while the workers (concurrency 10) run them → completed jobs/s
 *       and enqueue-to-start p50/p99. Paced, not back-to-back: with closed-loop callers the system
 *       with the cheaper enqueue just builds a backlog and "latency" measures the backlog.
 * A drain that takes longer than BENCH_MAX_DRAIN_SECONDS (60 s; pg-boss polls every ≥ 0.5 s per
 * worker) is cut off: its rate is over the jobs done so far, the rest is purged.
 * opsledger writes the full event history (RunEnqueued, RunClaimed, RunSucceeded per job) plus the
 * inline queue view; the async history projection is not running here (it runs in server processes).
 * Prints the figures and opsledger's ratio to each peer. Loopback only; stops by itself.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import pino from 'pino';
import * as gw from 'graphile-worker';
import PgBoss from 'pg-boss';
import { loadConfig } from '../src/config/config';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { JobCatalog } from '../src/jobs/definitions/job-catalog';
import type { RunEnqueued } from '../src/jobs/events/run.events';
import { runDecider } from '../src/jobs/run.decider';
import { JobHandlerRegistry } from '../src/jobs/handlers/job-handler-registry';
import { createJobsRuntime } from '../src/jobs/jobs-runtime';
import { Egress } from '../src/egress/egress-fetch';
import { systemClock } from '../src/shared/clock';
import { eventsOrThrow } from '../src/shared/decider';
import { freePort } from '../test/support/free-port';

const DRAIN = Number(process.env.BENCH_DRAIN_JOBS ?? 20_000);
const STEADY_S = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE_PER_CALLER ?? 25);
const MAX_DRAIN_MS = Number(process.env.BENCH_MAX_DRAIN_SECONDS ?? 60) * 1000;
const CONCURRENCY = 10;
const CALLERS = 8;
const log = pino({ level: 'warn' });

interface Result { drainJobsPerSec: number; drainMs: number; drainComplete: boolean; steadyEnqueued: number; steadyCompletedPerSec: number; p50Ms: number; p99Ms: number }
interface System {
  name: string;
  setup(): Promise<void>;
  bulkEnqueue(n: number): Promise<void>;
  enqueueOne(t: number): Promise<void>;
  startWorkers(onJob: (t: number | null) => void): Promise<void>;
  stopWorkers(): Promise<void>;
  /** Removes whatever is still queued (only after a cut-off drain). */
  purge(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

async function measure(sys: System): Promise<Result> {
  await sys.setup();
  // (a) drain
  await sys.bulkEnqueue(DRAIN);
  let done = 0;
  const latencies: number[] = [];
  let steady = false;
  const started = Date.now();
  await sys.startWorkers((t) => {
    done++;
    if (steady && t !== null) latencies.push(Date.now() - t);
  });
  while (done < DRAIN && Date.now() - started < MAX_DRAIN_MS) await sleep(5);
  const drainMs = Date.now() - started;
  const drained = done;
  if (drained < DRAIN) await sys.purge();
  await sleep(500);
  // (b) steady enqueue
  done = 0;
  steady = true;
  let enqueued = 0;
  const until = Date.now() + STEADY_S * 1000;
  const gap = 1000 / RATE;
  await Promise.all(Array.from({ length: CALLERS }, async (_, k) => {
    let next = Date.now() + (k * gap) / CALLERS; // callers staggered across the interval
    while (next < until) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      await sys.enqueueOne(Date.now());
      enqueued++;
      next += gap;
    }
  }));
  const completedInWindow = done;
  const drainUntil = Date.now() + 30_000;
  while (done < enqueued && Date.now() < drainUntil) await sleep(20);
  await sys.stopWorkers();
  await sys.close();
  latencies.sort((a, b) => a - b);
  return { drainJobsPerSec: Math.round((drained / drainMs) * 1000), drainMs, drainComplete: drained === DRAIN, steadyEnqueued: enqueued, steadyCompletedPerSec: Math.round(completedInWindow / STEADY_S), p50Ms: pct(latencies, 50), p99Ms: pct(latencies, 99) };
}

function opsledger(url: string): System {
  const config = loadConfig({ WORKER_CONCURRENCY: String(CONCURRENCY), WORKER_CLAIM_BATCH: String(CONCURRENCY), WORKER_POLL_MS: '1000', LOG_LEVEL: 'warn' }).jobs;
  const pool = new Pool({ connectionString: url, max: 20 });
  pool.on('error', () => undefined); // idle clients cut at the end of the run
  const store = new PostgresEventStore(pool);
  const catalog = new JobCatalog({ timeoutMs: 60_000, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000 }, new JobHandlerRegistry());
  let onJob: (t: number | null) => void = () => undefined;
  const def = catalog.define({ name: 'noop', handler: { kind: 'code' } }, async (params) => onJob(typeof params.t === 'number' ? params.t : null));
  // Code handlers only: the egress policy as shipped (nothing opened).
  const egress = new Egress({ allow: [], ownPorts: () => [], connectTimeoutMs: 5000, log });
  const rt = createJobsRuntime({ pool, store, clock: systemClock, log, config, catalog, fetch: egress.fetch });
  const worker = rt.newWorker({ mode: 'worker', version: 'bench' });
  const event = (params: Record<string, unknown>) => {
    const [e] = eventsOrThrow(runDecider.decide({ type: 'Enqueue', definition: def, runId: randomUUID(), trigger: 'manual', actor: 'bench', reason: null, params, now: new Date() }, null));
    return { event: e as RunEnqueued };
  };
  return {
    name: 'opsledger',
    setup: async () => undefined,
    async bulkEnqueue(n) {
      for (let i = 0; i < n; i += 1000) await rt.queue.enqueue(Array.from({ length: Math.min(1000, n - i) }, () => event({})));
    },
    enqueueOne: async (t) => void (await rt.queue.enqueue([event({ t })])),
    async startWorkers(cb) {
      onJob = cb;
      await worker.start();
    },
    stopWorkers: () => worker.stop(5000),
    purge: async () => void (await pool.query(`DELETE FROM rm_job_queue WHERE state IN ('pending', 'retrying')`)),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

function graphile(url: string): System {
  let runner: import('graphile-worker').Runner | null = null;
  let utils: import('graphile-worker').WorkerUtils;
  const pool = new Pool({ connectionString: url, max: 20 });
  pool.on('error', () => undefined);
  return {
    name: 'graphile-worker',
    async setup() {
      utils = await gw.makeWorkerUtils({ pgPool: pool });
      await utils.migrate();
    },
    async bulkEnqueue(n) {
      for (let i = 0; i < n; i += 1000) {
        await pool.query(
          `SELECT graphile_worker.add_jobs((SELECT array_agg(ROW('noop', '{}'::json, NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec) FROM generate_series(1, $1)))`,
          [Math.min(1000, n - i)],
        );
      }
    },
    enqueueOne: async (t) => void (await utils.addJob('noop', { t })),
    async startWorkers(cb) {
      runner = await gw.run({ pgPool: pool, concurrency: CONCURRENCY, pollInterval: 1000, noHandleSignals: true, logger: new gw.Logger(() => () => undefined), taskList: { noop: async (payload: any) => cb(typeof payload?.t === 'number' ? payload.t : null) } });
    },
    stopWorkers: async () => void (await runner?.stop()),
    purge: async () => void (await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE locked_at IS NULL`)),
    async close() {
      await utils.release();
      await pool.end();
    },
  };
}

function pgBoss(url: string): System {
  const boss = new PgBoss({ connectionString: url, max: 20, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  return {
    name: 'pg-boss',
    async setup() {
      await boss.start();
      await boss.createQueue('noop');
    },
    async bulkEnqueue(n) {
      for (let i = 0; i < n; i += 1000) await boss.insert(Array.from({ length: Math.min(1000, n - i) }, () => ({ name: 'noop', data: {} })));
    },
    enqueueOne: async (t) => void (await boss.send('noop', { t })),
    async startWorkers(cb) {
      // pg-boss 10 has no per-worker concurrency: 10 polling workers of one job each.
      for (let i = 0; i < CONCURRENCY; i++) {
        await boss.work<{ t?: number }>('noop', { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => cb(typeof job.data?.t === 'number' ? job.data.t : null));
      }
    },
    stopWorkers: () => boss.stop({ graceful: true, wait: true, timeout: 5000 }),
    purge: () => boss.purgeQueue('noop'),
    close: async () => undefined,
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-jobs-bench-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log });
  const base = db.url.replace(/\/[^/]+$/, '');
  try {
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    for (const name of ['ol_bench', 'gw_bench', 'boss_bench']) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    await runMigrations(`${base}/ol_bench`);
    const only = (process.env.BENCH_SYSTEMS ?? 'opsledger,graphile-worker,pg-boss').split(',');
    const systems = [opsledger(`${base}/ol_bench`), graphile(`${base}/gw_bench`), pgBoss(`${base}/boss_bench`)].filter((s) => only.includes(s.name));
    const results: Record<string, Result> = {};
    for (const s of systems) {
      process.stdout.write(`running ${s.name}…\n`);
      results[s.name] = await measure(s);
      process.stdout.write(`  ${JSON.stringify(results[s.name])}\n`);
    }
    const ol = results.opsledger;
    process.stdout.write(`\njobs benchmark: drain ${DRAIN} no-op jobs at concurrency ${CONCURRENCY} (cut off after ${MAX_DRAIN_MS / 1000} s); then ${CALLERS} callers × ${RATE}/s for ${STEADY_S} s\n`);
    process.stdout.write(`${'system'.padEnd(16)} ${'drain jobs/s'.padStart(13)} ${'steady done/s'.padStart(14)} ${'enqueued'.padStart(9)} ${'start p50 ms'.padStart(13)} ${'start p99 ms'.padStart(13)}\n`);
    for (const [name, r] of Object.entries(results)) {
      process.stdout.write(`${name.padEnd(16)} ${(String(r.drainJobsPerSec) + (r.drainComplete ? '' : '*')).padStart(13)} ${String(r.steadyCompletedPerSec).padStart(14)} ${String(r.steadyEnqueued).padStart(9)} ${String(r.p50Ms).padStart(13)} ${String(r.p99Ms).padStart(13)}\n`);
    }
    if (Object.values(results).some((r) => !r.drainComplete)) process.stdout.write(`* drain cut off at ${MAX_DRAIN_MS / 1000} s: rate over the jobs done by then\n`);
    if (ol) {
      for (const [name, r] of Object.entries(results)) {
        if (name === 'opsledger') continue;
        process.stdout.write(`opsledger / ${name}: drain ×${(ol.drainJobsPerSec / r.drainJobsPerSec).toFixed(2)}, steady ×${(ol.steadyCompletedPerSec / r.steadyCompletedPerSec).toFixed(2)}, start p50 ×${(ol.p50Ms / r.p50Ms).toFixed(2)}, p99 ×${(ol.p99Ms / r.p99Ms).toFixed(2)}\n`);
      }
    }
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

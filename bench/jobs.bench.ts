/**
 * `npm run bench:jobs`: the job queue against graphile-worker 0.18 and pg-boss 12 on one embedded
 * PostgreSQL (each system in its own database), no-op jobs, in one run, each system twice: with
 * its defaults and with its documented throughput options:
 *   (a) drain BENCH_DRAIN_JOBS (20,000) queued jobs at concurrency 10 → jobs/s;
 *   (b) 8 callers enqueue at a steady pace (BENCH_RATE_PER_CALLER, 25/s each = 200/s) for
 *       BENCH_STEADY_SECONDS (20 s) while the workers (concurrency 10) run them → completed jobs/s
 *       and enqueue-to-start p50/p99. Paced, not back-to-back: with closed-loop callers the system
 *       with the cheaper enqueue just builds a backlog and "latency" measures the backlog.
 * A drain that takes longer than BENCH_MAX_DRAIN_SECONDS (60 s; pg-boss with its defaults polls
 * every 2 s) is cut off: its rate is over the jobs done so far, the rest is purged.
 * opsledger writes the full event history (RunEnqueued, RunClaimed, RunSucceeded per job) plus the
 * inline queue view; the async history projection is not running here (it runs in server processes).
 * Prints the figures, the load average beside them, and opsledger's ratio to each peer; writes
 * bench/results/jobs.json. Loopback only; stops by itself.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import pino from 'pino';
import * as gw from 'graphile-worker';
import { PgBoss } from 'pg-boss';
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
import { machine } from './support';

const DRAIN = Number(process.env.BENCH_DRAIN_JOBS ?? 20_000);
const STEADY_S = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE_PER_CALLER ?? 25);
const MAX_DRAIN_MS = Number(process.env.BENCH_MAX_DRAIN_SECONDS ?? 60) * 1000;
const CONCURRENCY = 10;
const CALLERS = 8;
/** The peers' documented throughput options: graphile-worker's local queue size, pg-boss's batch size. */
const BATCH = 100;
const log = pino({ level: 'warn' });

interface Result {
  drainJobsPerSec: number;
  drainMs: number;
  drainComplete: boolean;
  steadyEnqueued: number;
  steadyCompletedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  loadavg: number[];
}
interface System {
  /** Unique label: the system and how it is configured. */
  name: string;
  kind: 'opsledger' | 'graphile-worker' | 'pg-boss';
  variant: 'defaults' | 'throughput';
  /** What the variant sets, for the printed table and the JSON. */
  options: string;
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
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

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
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, k) => {
      let next = Date.now() + (k * gap) / CALLERS; // callers staggered across the interval
      while (next < until) {
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        await sys.enqueueOne(Date.now());
        enqueued++;
        next += gap;
      }
    }),
  );
  const completedInWindow = done;
  const drainUntil = Date.now() + 30_000;
  while (done < enqueued && Date.now() < drainUntil) await sleep(20);
  const loadNow = load();
  await sys.stopWorkers();
  await sys.close();
  latencies.sort((a, b) => a - b);
  return {
    drainJobsPerSec: Math.round((drained / drainMs) * 1000),
    drainMs,
    drainComplete: drained === DRAIN,
    steadyEnqueued: enqueued,
    steadyCompletedPerSec: Math.round(completedInWindow / STEADY_S),
    p50Ms: pct(latencies, 50),
    p99Ms: pct(latencies, 99),
    loadavg: loadNow,
  };
}

/** opsledger with its defaults, or with the worker knobs set for throughput (env names as in the README). */
function opsledger(url: string, variant: System['variant']): System {
  const env: Record<string, string> =
    variant === 'defaults' ? {} : { WORKER_LOCAL_QUEUE_SIZE: process.env.BENCH_OPSLEDGER_LOCAL_QUEUE ?? String(BATCH), WORKER_COMPLETE_BATCH_MS: '0' };
  const config = loadConfig({ WORKER_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'warn', ...env }).jobs;
  const pool = new Pool({ connectionString: url, max: CONCURRENCY + 2 });
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
    const [e] = eventsOrThrow(
      runDecider.decide(
        { type: 'Enqueue', definition: def, runId: randomUUID(), trigger: 'manual', actor: 'bench', reason: null, params, now: new Date() },
        null,
      ),
    );
    return { event: e as RunEnqueued };
  };
  return {
    name: `opsledger ${variant}`,
    kind: 'opsledger',
    variant,
    options:
      variant === 'defaults'
        ? `WORKER_CONCURRENCY=${CONCURRENCY}, pool ${CONCURRENCY + 2}`
        : `WORKER_CONCURRENCY=${CONCURRENCY}, ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}, pool ${CONCURRENCY + 2}`,
    setup: async () => void (await runMigrations(url)),
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

/**
 * graphile-worker 0.18 with its defaults (its own pool of 10, no local queue, each completion its
 * own statement), or with the options its performance page documents for throughput: a local
 * queue of 100, batched completion (`completeJobBatchDelay: 0`), pool = concurrency + 2.
 */
function graphile(url: string, variant: System['variant']): System {
  let runner: gw.Runner | null = null;
  let utils: gw.WorkerUtils;
  const throughput = variant === 'throughput';
  const pool = new Pool({ connectionString: url, max: throughput ? CONCURRENCY + 2 : 10 });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined)); // graphile-worker checks every client has one
  return {
    name: `graphile-worker ${variant}`,
    kind: 'graphile-worker',
    variant,
    options: throughput
      ? `concurrency ${CONCURRENCY}, localQueue.size ${BATCH}, completeJobBatchDelay 0, pool ${CONCURRENCY + 2}`
      : `concurrency ${CONCURRENCY}, pool 10 (its default)`,
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
      runner = await gw.run({
        pgPool: pool,
        concurrency: CONCURRENCY,
        noHandleSignals: true,
        logger: new gw.Logger(() => () => undefined),
        taskList: { noop: async (payload: any) => cb(typeof payload?.t === 'number' ? payload.t : null) },
        ...(throughput ? { preset: { worker: { localQueue: { size: BATCH }, completeJobBatchDelay: 0 } } } : {}),
      });
    },
    stopWorkers: async () => void (await runner?.stop()),
    purge: async () => void (await pool.query(`DELETE FROM graphile_worker._private_jobs WHERE locked_at IS NULL`)),
    async close() {
      await utils.release();
      await pool.end();
    },
  };
}

/**
 * pg-boss 12 with its defaults (10 workers of one job each, polling every 2 s), or with batch
 * fetch: batches of 100, fetching on at once while batches come back full (`burstWhenBatchFull`),
 * NOTIFY on enqueue (`useListenNotify` + the queue's `notify`), 0.5 s polling floor. Each of its
 * 10 workers runs its batch one job at a time, so at most 10 execute at once.
 */
function pgBoss(url: string, variant: System['variant']): System {
  const throughput = variant === 'throughput';
  const boss = new PgBoss({ connectionString: url, max: CONCURRENCY + 2, supervise: false, schedule: false, ...(throughput ? { useListenNotify: true } : {}) });
  boss.on('error', () => undefined);
  boss.on('warning', () => undefined);
  return {
    name: `pg-boss ${variant}`,
    kind: 'pg-boss',
    variant,
    options: throughput
      ? `localConcurrency ${CONCURRENCY}, batchSize ${BATCH}, burstWhenBatchFull, notify, polling 0.5 s`
      : `localConcurrency ${CONCURRENCY} (batchSize 1, polling 2 s: its defaults)`,
    async setup() {
      await boss.start();
      await boss.createQueue('noop', throughput ? { notify: true } : {});
    },
    async bulkEnqueue(n) {
      for (let i = 0; i < n; i += 1000)
        await boss.insert(
          'noop',
          Array.from({ length: Math.min(1000, n - i) }, () => ({ data: {} })),
        );
    },
    enqueueOne: async (t) => void (await boss.send('noop', { t })),
    async startWorkers(cb) {
      const opts = throughput
        ? { localConcurrency: CONCURRENCY, batchSize: BATCH, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }
        : { localConcurrency: CONCURRENCY };
      await boss.work<{ t?: number }>('noop', opts, async (jobs) => {
        for (const job of jobs) await cb(typeof job.data?.t === 'number' ? job.data.t : null);
      });
    },
    stopWorkers: () => boss.stop({ graceful: true, close: false, timeout: 5000 }),
    purge: async () => void (await boss.deleteQueuedJobs('noop')),
    close: () => boss.stop({ close: true, graceful: false, timeout: 1000 }),
  };
}

interface JsonRow {
  work: string;
  figure: number;
  unit: string;
  better: 'higher' | 'lower';
  reference: string;
  referenceFigure: number;
  ratio: number;
  goal: string | null;
  loadavg: number[];
}

/** opsledger's rows against one peer variant: the drain rate and the steady p99 start latency. */
function rowsAgainst(ol: System, olR: Result, peer: System, peerR: Result): JsonRow[] {
  const label = (s: System) => `${s.name} (${s.options})`;
  // The issue's goals are set against graphile-worker with its documented throughput options.
  const goalPeer = peer.name.startsWith('graphile-worker') && /localQueue/.test(peer.options);
  return [
    {
      work: `drain ${DRAIN.toLocaleString('en-US')} no-op jobs, concurrency ${CONCURRENCY}: ${label(ol)}`,
      figure: olR.drainJobsPerSec,
      unit: 'jobs/s',
      better: 'higher',
      reference: label(peer) + (peerR.drainComplete ? '' : `, cut off at ${MAX_DRAIN_MS / 1000} s`),
      referenceFigure: peerR.drainJobsPerSec,
      ratio: round2(olR.drainJobsPerSec / peerR.drainJobsPerSec),
      goal: goalPeer ? '≥ 1.0×' : null,
      loadavg: olR.loadavg,
    },
    {
      work: `steady ${CALLERS * RATE} jobs/s, enqueue→start p99: ${label(ol)}`,
      figure: olR.p99Ms,
      unit: 'ms',
      better: 'lower',
      reference: label(peer),
      referenceFigure: peerR.p99Ms,
      ratio: round2(olR.p99Ms / peerR.p99Ms),
      goal: goalPeer ? '≤ 1.0× (lower is better)' : null,
      loadavg: olR.loadavg,
    },
  ];
}
const round2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-jobs-bench-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log });
  const base = db.url.replace(/\/[^/]+$/, '');
  const loadAtStart = load();
  try {
    const makers = [
      (u: string) => opsledger(u, 'defaults'),
      (u: string) => opsledger(u, 'throughput'),
      (u: string) => graphile(u, 'defaults'),
      (u: string) => graphile(u, 'throughput'),
      (u: string) => pgBoss(u, 'defaults'),
      (u: string) => pgBoss(u, 'throughput'),
    ];
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    const systems: System[] = [];
    for (const [i, make] of makers.entries()) {
      await admin.query(`CREATE DATABASE bench_${i}`);
      systems.push(make(`${base}/bench_${i}`));
    }
    await admin.end();
    // BENCH_SYSTEMS: a comma-separated choice of kinds ("opsledger,graphile-worker") or labels ("pg-boss throughput").
    const only = (process.env.BENCH_SYSTEMS ?? 'opsledger,graphile-worker,pg-boss').split(',').map((s) => s.trim());
    const chosen = systems.filter((s) => only.includes(s.kind) || only.includes(s.name));
    const results = new Map<System, Result>();
    process.stdout.write(`bench:jobs — ${new Date().toISOString()}; ${machine()}; load average at start ${loadAtStart.join(' ')}\n`);
    for (const s of chosen) {
      process.stdout.write(`running ${s.name} (${s.options})…\n`);
      const r = await measure(s);
      results.set(s, r);
      process.stdout.write(`  ${JSON.stringify(r)}\n`);
    }
    process.stdout.write(
      `\njobs benchmark: drain ${DRAIN} no-op jobs at concurrency ${CONCURRENCY} (cut off after ${MAX_DRAIN_MS / 1000} s); then ${CALLERS} callers × ${RATE}/s for ${STEADY_S} s\n`,
    );
    process.stdout.write(
      `${'system'.padEnd(28)} ${'drain jobs/s'.padStart(13)} ${'steady done/s'.padStart(14)} ${'enqueued'.padStart(9)} ${'start p50 ms'.padStart(13)} ${'start p99 ms'.padStart(13)}  load average (1/5/15 min)\n`,
    );
    for (const [s, r] of results) {
      process.stdout.write(
        `${s.name.padEnd(28)} ${(String(r.drainJobsPerSec) + (r.drainComplete ? '' : '*')).padStart(13)} ${String(r.steadyCompletedPerSec).padStart(14)} ${String(r.steadyEnqueued).padStart(9)} ${String(r.p50Ms).padStart(13)} ${String(r.p99Ms).padStart(13)}  ${r.loadavg.join(' ')}\n`,
      );
    }
    if ([...results.values()].some((r) => !r.drainComplete))
      process.stdout.write(`* drain cut off at ${MAX_DRAIN_MS / 1000} s: rate over the jobs done by then\n`);
    const rows: JsonRow[] = [];
    // Like with like: opsledger's defaults against each peer's defaults, its throughput knobs
    // against each peer's throughput options (opsledger's defaults where its knobs were not run).
    for (const [peer, peerR] of results) {
      if (peer.kind === 'opsledger') continue;
      const ol =
        [...results.keys()].find((s) => s.kind === 'opsledger' && s.variant === peer.variant) ?? [...results.keys()].find((s) => s.kind === 'opsledger');
      if (!ol) continue;
      const olR = results.get(ol)!;
      rows.push(...rowsAgainst(ol, olR, peer, peerR));
      process.stdout.write(
        `${ol.name} / ${peer.name}: drain ×${(olR.drainJobsPerSec / peerR.drainJobsPerSec).toFixed(2)}, steady ×${(olR.steadyCompletedPerSec / peerR.steadyCompletedPerSec).toFixed(2)}, start p50 ×${(olR.p50Ms / peerR.p50Ms).toFixed(2)}, p99 ×${(olR.p99Ms / peerR.p99Ms).toFixed(2)}\n`,
      );
    }
    const dir = path.resolve(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const out = {
      bench: 'jobs',
      at: new Date().toISOString(),
      command: 'npm run bench:jobs',
      machine: machine(),
      loadavg: load(),
      loadavgAtStart: loadAtStart,
      rows,
      systems: [...results].map(([s, r]) => ({ name: s.name, options: s.options, ...r })),
    };
    writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(out, null, 2));
    process.stdout.write(`results: ${path.join(dir, 'jobs.json')}\n`);
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

/**
 * `npm run bench:polling-processes`: the built service (`dist/src/main.js`, APP_MODE worker), as
 * 1, 2, … BENCH_PROCESSES (default "1,2,3") worker processes sharing the poll partitions of one
 * database (docs/adr/0017), each run with BENCH_TARGETS_PER_PROCESS (5,000) × N http targets at a
 * fixed BENCH_INTERVAL_SECONDS (10 s) against one local keep-alive HTTP server, POLL_CONCURRENCY
 * BENCH_CONCURRENCY (100). After the partitions are spread and BENCH_WARMUP_SECONDS (10 s), for
 * BENCH_SECONDS (20 s): polls/s recorded in the log (all processes, and per process), lateness
 * p50/p99 (probe start − due time, from the events), and each worker's RSS (max of /proc samples
 * every 250 ms: the process alone, without the bench, the target server or PostgreSQL).
 * Embedded PostgreSQL in a temp dir, loopback only, stops by itself.
 */
import 'reflect-metadata';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { targetStream } from '../src/polling/events/target-spec';
import { ensureBuilt, killAllMainProcesses, MainProcess } from '../test/support/main-process';
import { ratioOf, runBench, writeResults } from './result-file';
import { startBenchDb } from './support';

const PROCESSES = (process.env.BENCH_PROCESSES ?? '1,2,3').split(',').map(Number);
const PER_PROCESS = Number(process.env.BENCH_TARGETS_PER_PROCESS ?? 5_000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
/** Extra node options for the workers (e.g. heap flags to compare); the memory probe is always loaded. */
const WORKER_NODE_OPTIONS = process.env.BENCH_WORKER_NODE_OPTIONS ?? '';
const PROBE = path.join(__dirname, 'memory-probe.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

interface Run {
  readonly processes: number;
  readonly targets: number;
  readonly demand: number;
  readonly pollsPerSecond: number;
  readonly perProcess: number[];
  readonly latenessP50: number;
  readonly latenessP99: number;
  readonly rssMaxMb: number[];
  /** Per worker, from bench/memory-probe.js: process.memoryUsage() at its highest RSS, and before/after a full GC at the end of the window. */
  readonly memory: (WorkerMemory | null)[];
}

interface MemorySample {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}
interface WorkerMemory {
  readonly atMaxRss: MemorySample;
  readonly beforeGc: MemorySample;
  readonly afterGc: MemorySample;
  readonly spaces: Record<string, { size: number; used: number }>;
}

/** Asks each worker's memory probe for its figures (SIGUSR2) and reads them back. */
async function memoryOf(workers: readonly MainProcess[], files: readonly string[]): Promise<(WorkerMemory | null)[]> {
  workers.forEach((w) => w.child.kill('SIGUSR2'));
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && !files.every((f) => existsSync(f));) await sleep(50);
  await sleep(100); // written in one synchronous call, but give the last one a moment
  return files.map((f) => (existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as WorkerMemory) : null));
}

async function runWith(n: number, url: string): Promise<Run> {
  const db = await startBenchDb(8);
  const store = new PostgresEventStore(db.pool, { pollMs: 200 });
  try {
    const targets = n * PER_PROCESS;
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < targets; i = next++) {
          const key = `svc::t${i}`;
          const at = new Date(t0 + Math.random() * INTERVAL_S * 1000).toISOString();
          const spec = { type: 'svc', name: `t${i}`, probe: { kind: 'http', url }, intervalSeconds: INTERVAL_S, adaptive: false };
          await store.append(targetStream(key), [{ type: 'TargetRegistered', data: { key, spec, source: 'api', at } }], 'no_stream');
        }
      }),
    );
    const env = {
      DATABASE_URL: db.url,
      APP_MODE: 'worker',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '10',
      POLL_CONCURRENCY: String(CONCURRENCY),
      POLL_TIMEOUT_MS: '5000',
      QUIET_HOURS: 'off',
      EGRESS_ALLOW: '127.0.0.1',
      OPSLEDGER_ADMIN_TOKEN: `olt_bench_polling_processes_${'x'.repeat(24)}`,
      WORKER_CONCURRENCY: '1',
      ALERT_EVAL_MS: '3600000',
      ...(process.env.POLL_HEAP_GROWING_PERCENT ? { POLL_HEAP_GROWING_PERCENT: process.env.POLL_HEAP_GROWING_PERCENT } : {}),
    };
    const memDir = mkdtempSync(path.join(tmpdir(), 'opsledger-bench-memory-'));
    const memFiles = Array.from({ length: n }, (_, i) => path.join(memDir, `worker-${i}.json`));
    const workers = memFiles.map(
      (file) =>
        new MainProcess(
          { ...env, NODE_OPTIONS: `--require ${PROBE} ${WORKER_NODE_OPTIONS}`.trim(), BENCH_MEMORY_FILE: file },
          { compiled: true, keepChars: 10_000 },
        ),
    );
    // Spread: every partition held, by n processes, each within one of its fair share.
    const share = 64 / n;
    for (const deadline = Date.now() + 120_000; ;) {
      const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM poll_partitions WHERE lease_until > now() GROUP BY owner`);
      if (rows.length === n && rows.every((r) => Math.abs(r.n - share) <= 1) && rows.reduce((a, r) => a + r.n, 0) === 64) break;
      if (Date.now() > deadline)
        throw new Error(`partitions not spread over ${n} processes: ${JSON.stringify(rows)}\n${workers.map((w) => w.output.slice(-2000)).join('\n')}`);
      await sleep(200);
    }
    await sleep(WARMUP * 1000);
    const from = new Date();
    const rss = workers.map(() => 0);
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      workers.forEach((w, i) => (rss[i] = Math.max(rss[i], rssMb(w.pid))));
      await sleep(250);
    }
    const to = new Date();
    const memory = await memoryOf(workers, memFiles);
    rmSync(memDir, { recursive: true, force: true });
    for (const w of workers) await w.stop();
    const { rows } = await db.pool.query<{ pid: string; n: number; p50: number; p99: number }>(
      `WITH o AS (
         SELECT split_part(metadata->>'instanceId', ':', 2) AS pid,
                extract(epoch FROM ((data->>'at')::timestamptz - (data->>'dueAt')::timestamptz)) * 1000 AS late
         FROM events WHERE type IN ('PollSucceeded', 'PollFailed') AND (data->>'at')::timestamptz >= $1 AND (data->>'at')::timestamptz < $2)
       SELECT pid, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY late) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY late) AS p99
       FROM o GROUP BY ROLLUP (pid) ORDER BY pid NULLS LAST`,
      [from, to],
    );
    const total = rows[rows.length - 1];
    const seconds = (to.getTime() - from.getTime()) / 1000;
    return {
      processes: n,
      targets,
      demand: targets / INTERVAL_S,
      pollsPerSecond: total.n / seconds,
      perProcess: rows.slice(0, -1).map((r) => Math.round(r.n / seconds)),
      latenessP50: Math.round(total.p50),
      latenessP99: Math.round(total.p99),
      rssMaxMb: rss.map((r) => Math.round(r)),
      memory,
    };
  } finally {
    await killAllMainProcesses();
    await store.close();
    await db.stop();
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
  try {
    const runs: Run[] = [];
    for (const n of PROCESSES) {
      const r = await runWith(n, url);
      runs.push(r);
      console.log(
        `${n} process(es): ${r.targets} targets, demand ${r.demand}/s → ${r.pollsPerSecond.toFixed(1)} polls/s (per process ${r.perProcess.join(', ')}), lateness p50 ${r.latenessP50} ms p99 ${r.latenessP99} ms, RSS max ${r.rssMaxMb.join(', ')} MB`,
      );
      console.table(
        Object.fromEntries(
          r.memory.map((m, i) => [
            `worker ${i + 1} of ${n} (MB)`,
            m
              ? {
                  'RSS max (/proc)': r.rssMaxMb[i],
                  'at max: heap total': m.atMaxRss.heapTotal,
                  'at max: heap used': m.atMaxRss.heapUsed,
                  'at max: external': m.atMaxRss.external,
                  'at max: array buffers': m.atMaxRss.arrayBuffers,
                  'end: RSS': m.beforeGc.rss,
                  'end: heap total': m.beforeGc.heapTotal,
                  'after full GC: heap used (live)': m.afterGc.heapUsed,
                  'after full GC: RSS': m.afterGc.rss,
                }
              : { 'RSS max (/proc)': r.rssMaxMb[i], probe: 'no answer' },
          ]),
        ),
      );
    }
    const one = runs.find((r) => r.processes === 1);
    console.table(
      Object.fromEntries(
        runs.map((r) => [
          `${r.processes} process(es)`,
          {
            targets: r.targets,
            'demand/s': r.demand,
            'polls/s': Math.round(r.pollsPerSecond),
            'vs 1 process': one ? (r.pollsPerSecond / one.pollsPerSecond).toFixed(2) : 'n/a',
            'lateness p99 ms': r.latenessP99,
            'RSS max MB (each)': r.rssMaxMb.join(' / '),
          },
        ]),
      ),
    );
    writeResults(
      'polling-processes',
      runs.map((r) => ({
        work: `polling with ${r.processes} worker process(es) (built service), ${r.targets.toLocaleString('en-US')} targets at ${INTERVAL_S} s, lateness p99 ${r.latenessP99} ms, RSS max ${Math.max(...r.rssMaxMb)} MB per process`,
        figure: Math.round(r.pollsPerSecond * 10) / 10,
        unit: 'polls/s',
        reference: one && r.processes > 1 ? '1 process × N' : null,
        referenceFigure: one && r.processes > 1 ? Math.round(one.pollsPerSecond * r.processes) : null,
        ratio: one && r.processes > 1 ? ratioOf(r.pollsPerSecond, one.pollsPerSecond * r.processes) : null,
        goal: 'N processes poll N× the targets; RSS ≤ 300 MB per process at 10,000 targets',
      })),
      { runs },
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

runBench('polling-processes', main);

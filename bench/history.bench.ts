/**
 * `npm run bench:history`: point-in-time answers over a large log.
 *  - BENCH_TARGETS (10,000 × BENCH_SCALE) targets and BENCH_EVENTS (1,000,000 × BENCH_SCALE) realistic
 *    poll outcomes (5 % failures) bulk-inserted through SQL, spread over BENCH_HISTORY_HOURS (2) of
 *    recorded history; the projection runner catches up and the snapshots a running service would
 *    have taken are taken: after each PIT_SNAPSHOT_INTERVAL (10 min of history), and by
 *    PointInTime.snapshotDue() once PIT_SNAPSHOT_EVERY_EVENTS events came after the last one.
 *  - p50/p99 of GET /api/monitoring/scheduler/health?at=<random past moment> (first asked, then
 *    asked again: the cached past answer), next to the live endpoint built per request
 *    (READ_CACHE_INTERVAL_MS=0, a second app on the same database) and served from the read cache,
 *    and of a one-hour GET /api/timeline window (first page, BENCH_TIMELINE_LIMIT).
 *  - backupEventLog / restoreEventLog events/s, and restore + rebuild of every read model events/s
 *    (BENCH_RESTORE=0 leaves these out).
 * Embedded PostgreSQL in temp dirs, loopback only; bounded by the counts above. Writes
 * bench/results/history.md (figures quoted in docs/performance.md).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { backupEventLog } from '../src/backup/backup';
import { restoreEventLog } from '../src/backup/restore';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { createApp } from '../src/bootstrap';
import { TEST_SERVER_KEYS } from '../test/support/server-keys';
import { loadConfig } from '../src/config/config';
import { PointInTime } from '../src/point-in-time/point-in-time.service';
import { ProjectionRunnerService } from '../src/projection-runner/projection-runner.service';
import { loadAverages, ratioOf, ResultRow, runBench, writeResults } from './result-file';
import { fmt, machine, rate, SCALE, startBenchDb } from './support';

const N = Math.max(10, Math.round(Number(process.env.BENCH_TARGETS ?? 10_000 * SCALE)));
const EVENTS = Math.round(Number(process.env.BENCH_EVENTS ?? 1_000_000 * SCALE));
const HOURS = Number(process.env.BENCH_HISTORY_HOURS ?? 2);
const SNAPSHOT_EVERY_MS = 10 * 60_000; // PIT_SNAPSHOT_INTERVAL_MS default
const RESTORE = process.env.BENCH_RESTORE !== '0';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30);
const TIMELINE_LIMIT = Number(process.env.BENCH_TIMELINE_LIMIT ?? 1000);
const TOKEN = 'olt_bench_history_admin_token_0123456789abcdef';
const log = pino({ level: 'warn' });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (v: number) => v.toFixed(1);

function envFor(url: string, extra: Record<string, string> = {}) {
  return loadConfig({
    LOG_LEVEL: 'warn',
    ...TEST_SERVER_KEYS,
    DATABASE_URL: url,
    OPSLEDGER_ADMIN_TOKEN: TOKEN,
    POLL_SCHEDULER_ENABLED: 'false',
    WORKER_CONCURRENCY: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    QUIET_HOURS: 'off',
    PIT_SNAPSHOT_INTERVAL_MS: '86400000',
    PROJECTION_POLL_MS: '50',
    ...(process.env.PIT_SNAPSHOT_EVERY_EVENTS ? { PIT_SNAPSHOT_EVERY_EVENTS: process.env.PIT_SNAPSHOT_EVERY_EVENTS } : {}),
    ...extra,
  });
}

/** One poll outcome per target at `at` (+ i ms), as one transaction: the shape the scheduler writes. */
async function insertRound(pool: Pool, round: number, at: Date, stepMs: number): Promise<void> {
  await pool.query(
    `WITH g AS (SELECT i, $2::timestamptz + (i % 1000) * interval '1 millisecond' AS ts FROM generate_series(0, $1::int - 1) i),
          f AS (SELECT i, ts, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
                       to_char((ts + $4 * interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next,
                       (i * 7 + $3 * 13) % 20 = 0 AS failed FROM g)
     INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
     SELECT 'target-svc::t' || i, $3::bigint, gen_random_uuid(), CASE WHEN failed THEN 'PollFailed' ELSE 'PollSucceeded' END, 1,
            jsonb_build_object('key', 'svc::t' || i, 'at', at, 'durationMs', CASE WHEN failed THEN 400 ELSE 12 + i % 50 END, 'statusCode', CASE WHEN failed THEN 503 ELSE 200 END,
                               'trigger', 'schedule', 'dueAt', at, 'nextPollAt', next,
                               'interval', jsonb_build_object('mode', 'fixed', 'baseMs', $4, 'minMs', 5000, 'maxMs', 300000, 'stalenessScore', 0, 'recentErrors', 0, 'previousMs', $4, 'rawMs', $4, 'smoothedMs', $4, 'jitter', 1, 'factor', 1, 'chosenMs', $4))
            || CASE WHEN failed THEN jsonb_build_object('failureKind', 'http_5xx', 'category', 'transient', 'message', '503 service unavailable', 'consecutiveFailures', 1) ELSE '{}'::jsonb END,
            jsonb_build_object('occurredAt', at, 'correlationId', gen_random_uuid()), ts
       FROM f`,
    [N, at, round, stepMs],
  );
}

async function timed(n: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function get(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
  return body;
}

async function main(): Promise<void> {
  process.stderr.write(`bench:history — ${machine()}; ${fmt(N)} targets, ${fmt(EVENTS)} events over ${HOURS} h\n`);
  const src = await startBenchDb();
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-history-'));
  let app: Awaited<ReturnType<typeof createApp>> | null = null;
  let uncached: Awaited<ReturnType<typeof createApp>> | null = null;
  try {
    const config = envFor(src.url);
    app = await createApp(config, src.url, log);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const pit = app.get(PointInTime);

    // History: registrations, then rounds of outcomes; catch up and snapshot every 10 min of history.
    const rounds = Math.max(1, Math.ceil((EVENTS - N) / N));
    const spanMs = HOURS * 3_600_000;
    const stepMs = Math.floor(spanMs / rounds);
    const t0 = new Date(Date.now() - spanMs - 120_000);
    await src.pool.query(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
       SELECT 'target-svc::t' || i, 0, gen_random_uuid(), 'TargetRegistered', 1,
              jsonb_build_object('key', 'svc::t' || i, 'source', 'api', 'at', to_char($2::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                 'spec', jsonb_build_object('type', (ARRAY['pve','pbs','pmg'])[1 + i % 3], 'name', 't' || i, 'probe', jsonb_build_object('kind', 'http', 'url', 'http://10.0.' || (i / 256) % 256 || '.' || i % 256 || ':8006/ping'))),
              jsonb_build_object('occurredAt', $2::timestamptz), $2::timestamptz
         FROM generate_series(0, $1::int - 1) i`,
      [N, t0],
    );
    const catchUp = async () => {
      for (;;) {
        // Commit order is (transaction_id, position): a transaction committing during the fill (the
        // alert evaluator's AlertFired) may hold a higher position than the readable head's.
        const { rows } = await src.pool.query<{ behind: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM events e, projection_checkpoints p
                           WHERE p.name = 'targets'
                             AND (e.transaction_id, e.position) > (split_part(coalesce(p.checkpoint, '0:0'), ':', 1)::xid8, split_part(coalesce(p.checkpoint, '0:0'), ':', 2)::bigint)) AS behind`,
        );
        if (rows[0].behind === false) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const f0 = performance.now();
    let lastSnap = t0.getTime();
    let sinceSnap = 0;
    let snapshots = 0;
    const everyEvents = config.pointInTime.snapshotEveryEvents;
    for (let r = 1; r <= rounds; r++) {
      const at = new Date(t0.getTime() + r * stepMs);
      await insertRound(src.pool, r, at, stepMs);
      sinceSnap += N;
      const byTime = at.getTime() - lastSnap >= SNAPSHOT_EVERY_MS || r === rounds;
      // The snapshotter counts every PIT_SNAPSHOT_CHECK_MS; here, whenever enough events came.
      const byCount = everyEvents > 0 && sinceSnap >= everyEvents;
      if (byTime || byCount) {
        await catchUp();
        // The app's own snapshotter (every PIT_SNAPSHOT_CHECK_MS) may have taken it already.
        if (byTime) await pit.snapshotNow();
        else await pit.snapshotDue();
        snapshots = Number((await src.pool.query(`SELECT count(*) AS n FROM projection_snapshots WHERE name = 'targets'`)).rows[0].n);
        lastSnap = at.getTime();
        sinceSnap = 0;
        process.stderr.write(`\r  ${fmt(r * N + N)} events, ${snapshots} snapshots`);
      }
    }
    await src.pool.query('ANALYZE events');
    const total = Number((await src.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    process.stderr.write(`\n  filled and projected in ${((performance.now() - f0) / 1000).toFixed(1)} s\n`);

    // Live (built per request, and from the read cache) vs ?at= at random past moments (seeded, so runs compare).
    const sched = `${base}/api/monitoring/scheduler/health`;
    await get(sched);
    const cachedLive = await timed(REQUESTS, () => get(sched).then(() => undefined));
    uncached = await createApp(envFor(src.url, { READ_CACHE_INTERVAL_MS: '0', PROJECTION_RUNNER_AUTOSTART: 'false' }), src.url, log);
    await uncached.listen({ port: 0, host: '127.0.0.1' });
    const uncachedSched = `http://127.0.0.1:${(uncached.getHttpServer().address() as { port: number }).port}/api/monitoring/scheduler/health`;
    await get(uncachedSched);
    const live = await timed(REQUESTS, () => get(uncachedSched).then(() => undefined));
    await uncached.close();
    uncached = null;
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = t0.getTime() + 1000;
    const to = t0.getTime() + rounds * stepMs;
    const moments = Array.from({ length: REQUESTS }, () => new Date(from + rnd() * (to - from)).toISOString());
    // Each moment asked twice in a row: the second answer is the cached one (30 distinct 5 MB
    // answers in sequence would outgrow PIT_ANSWER_CACHE_MAX_BYTES, so a second pass would find none).
    const at: number[] = [];
    const atAgain: number[] = [];
    for (const moment of moments) {
      const u = `${sched}?at=${encodeURIComponent(moment)}`;
      at.push(...(await timed(1, () => get(u).then(() => undefined))));
      atAgain.push(...(await timed(1, () => get(u).then(() => undefined))));
    }
    const windows = Array.from({ length: REQUESTS }, () => {
      const start = from + rnd() * Math.max(0, to - from - 3_600_000);
      return [new Date(start).toISOString(), new Date(start + 3_600_000).toISOString()];
    });
    const timeline = await timed(REQUESTS, (i) =>
      get(`${base}/api/timeline?from=${encodeURIComponent(windows[i][0])}&to=${encodeURIComponent(windows[i][1])}&limit=${TIMELINE_LIMIT}`).then(
        () => undefined,
      ),
    );
    await app.close();
    app = null;

    const rows = {
      live: { p50: pct(live, 50), p99: pct(live, 99) },
      cachedLive: { p50: pct(cachedLive, 50), p99: pct(cachedLive, 99) },
      at: { p50: pct(at, 50), p99: pct(at, 99) },
      atAgain: { p50: pct(atAgain, 50), p99: pct(atAgain, 99) },
      timeline: { p50: pct(timeline, 50), p99: pct(timeline, 99) },
    };
    const ratio = (v: number) => (v / rows.live.p50).toFixed(2);
    const lines = [
      `bench:history — ${new Date().toISOString()}; ${machine()}; load average ${loadAverages().join(' ')}`,
      `log: ${fmt(total)} events (${fmt(N)} targets × ${rounds} rounds of poll outcomes over ${HOURS} h), ${snapshots} read-model snapshots (every 10 min of history and every ${fmt(everyEvents)} events); ${REQUESTS} sequential requests each`,
      '',
      '| what | p50 ms | p99 ms | ratio p50 to live |',
      '|---|---:|---:|---:|',
      `| GET /api/monitoring/scheduler/health (live, built from the read model per request: READ_CACHE_INTERVAL_MS=0) | ${ms(rows.live.p50)} | ${ms(rows.live.p99)} | 1.00 |`,
      `| same, live from the read cache (defaults) | ${ms(rows.cachedLive.p50)} | ${ms(rows.cachedLive.p99)} | ${ratio(rows.cachedLive.p50)} |`,
      `| same, ?at= random past moment, first asked (snapshot + fold) | ${ms(rows.at.p50)} | ${ms(rows.at.p99)} | ${ratio(rows.at.p50)} |`,
      `| same moment asked again right after (cached past answer) | ${ms(rows.atAgain.p50)} | ${ms(rows.atAgain.p99)} | ${ratio(rows.atAgain.p50)} |`,
      `| GET /api/timeline one-hour window (first ${TIMELINE_LIMIT} entries) | ${ms(rows.timeline.p50)} | ${ms(rows.timeline.p99)} | ${ratio(rows.timeline.p50)} |`,
    ];
    const results: ResultRow[] = [
      {
        work: `\`?at=\` scheduler health at ${fmt(total)} events, p99 (first asked)`,
        figure: Math.round(rows.at.p99),
        unit: 'ms',
        reference: 'live p99, built per request',
        referenceFigure: Math.round(rows.live.p99),
        ratio: ratioOf(rows.at.p99, rows.live.p99),
        goal: 'p99 ≤ 3× live (lower is better)',
      },
      {
        work: `\`?at=\` scheduler health at ${fmt(total)} events, p50 (first asked)`,
        figure: Math.round(rows.at.p50),
        unit: 'ms',
        reference: 'live p50, built per request',
        referenceFigure: Math.round(rows.live.p50),
        ratio: ratioOf(rows.at.p50, rows.live.p50),
        goal: null,
      },
      {
        work: `\`?at=\` scheduler health at ${fmt(total)} events, p99 (asked again: cached past answer)`,
        figure: Math.round(rows.atAgain.p99),
        unit: 'ms',
        reference: 'live p99 from the read cache',
        referenceFigure: Math.round(rows.cachedLive.p99),
        ratio: ratioOf(rows.atAgain.p99, rows.cachedLive.p99),
        goal: null,
      },
    ];

    if (RESTORE) {
      // Backup, restore into a fresh database, rebuild every read model (as npm run restore does).
      const file = path.join(dir, 'backup.ndjson.gz');
      const b0 = performance.now();
      const backup = await backupEventLog(new PostgresEventStore(src.pool), file);
      const backupMs = performance.now() - b0;
      const dst = await startBenchDb();
      try {
        const r0 = performance.now();
        const restored = await restoreEventLog(new PostgresEventStore(dst.pool), file);
        const restoreMs = performance.now() - r0;
        app = await createApp(envFor(dst.url, { PROJECTION_RUNNER_AUTOSTART: 'false', APP_MODE: 'server' }), dst.url, log);
        const runner = app.get(ProjectionRunnerService);
        const k0 = performance.now();
        await runner.rebuildAllHere('bench:history restore');
        const rebuildMs = performance.now() - k0;
        await app.close();
        app = null;
        lines.push(
          '',
          '| backup / restore | events | seconds | events/s |',
          '|---|---:|---:|---:|',
          `| backupEventLog (gzip NDJSON, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB) | ${fmt(backup.events)} | ${(backupMs / 1000).toFixed(1)} | ${fmt(rate(backup.events, backupMs))} |`,
          `| restoreEventLog (into an empty database) | ${fmt(restored.events)} | ${(restoreMs / 1000).toFixed(1)} | ${fmt(rate(restored.events, restoreMs))} |`,
          `| rebuild every read model after restore | ${fmt(restored.events)} | ${(rebuildMs / 1000).toFixed(1)} | ${fmt(rate(restored.events, rebuildMs))} |`,
          `| restore + rebuild | ${fmt(restored.events)} | ${((restoreMs + rebuildMs) / 1000).toFixed(1)} | ${fmt(rate(restored.events, restoreMs + rebuildMs))} |`,
        );
        const restoreRate = rate(restored.events, restoreMs);
        const bothRate = rate(restored.events, restoreMs + rebuildMs);
        results.push({
          work: `restore + rebuild of every read model, ${fmt(restored.events)} events`,
          figure: bothRate,
          unit: 'events/s',
          reference: 'restore alone',
          referenceFigure: restoreRate,
          ratio: ratioOf(bothRate, restoreRate),
          goal: '≥ 0.5× restore alone',
        });
      } finally {
        await dst.stop();
      }
    }

    process.stdout.write(lines.join('\n') + '\n');
    writeResults('history', results);
    // Results go to bench/results/ (not committed); the latest figures are copied into docs/performance.md.
    const doc = path.join(__dirname, 'results', 'history.md');
    mkdirSync(path.dirname(doc), { recursive: true });
    writeFileSync(
      doc,
      `# Point-in-time and backup performance (\`npm run bench:history\`)\n\n` +
        `Written by the benchmark itself (bench/history.bench.ts); rerun it to refresh. BENCH_SCALE scales the log and target counts.\n` +
        `\`?at=\` starts from the newest read-model snapshot before T and folds the events after it, so its cost grows with the events per snapshot, not with the log: snapshots are taken every 10 min and every PIT_SNAPSHOT_EVERY_EVENTS events.\n\n` +
        '```\n' +
        lines.slice(0, 2).join('\n') +
        '\n```\n\n' +
        lines.slice(3).join('\n') +
        '\n',
    );
  } finally {
    await uncached?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('history', main);

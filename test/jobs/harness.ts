import pino from 'pino';
import { Pool } from 'pg';
import { loadConfig } from '../../src/config/config';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { JobCatalog } from '../../src/jobs/definitions/job-catalog';
import { reconcileDefinitions } from '../../src/jobs/definitions/reconcile-definitions';
import type { RunEnqueued } from '../../src/jobs/events/run.events';
import { runDecider } from '../../src/jobs/run.decider';
import { JobHandlerRegistry } from '../../src/jobs/handlers/job-handler-registry';
import { createJobsRuntime, JobsConfig } from '../../src/jobs/jobs-runtime';
import { Clock, systemClock } from '../../src/shared/clock';
import { eventsOrThrow } from '../../src/shared/decider';
import { randomUUID } from 'node:crypto';
import type { Egress } from '../../src/egress/egress-fetch';
import { testEgress } from '../support/test-egress';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function jobsConfig(env: Record<string, string> = {}): JobsConfig {
  return loadConfig({ WORKER_POLL_MS: '50', WORKER_HEARTBEAT_MS: '200', JOB_BACKOFF_BASE_MS: '10', JOB_KILL_GRACE_MS: '300', ...env }).jobs;
}

/** The plain job runtime over a database: one "process" (own pool and store). */
export function runtimeOn(url: string, opts: { config?: JobsConfig; catalog?: JobCatalog; clock?: Clock; poolSize?: number; egress?: Egress } = {}) {
  const config = opts.config ?? jobsConfig();
  const pool = new Pool({ connectionString: url, max: opts.poolSize ?? 8 });
  pool.on('error', () => undefined); // idle clients cut when the test database is dropped (as DatabaseModule does)
  const store = new PostgresEventStore(pool, { pollMs: 100 });
  const catalog = opts.catalog ?? new JobCatalog({ timeoutMs: config.jobDefaultTimeoutMs, maxAttempts: config.jobDefaultMaxAttempts, backoffBaseMs: config.jobBackoffBaseMs, backoffMaxMs: config.jobBackoffMaxMs }, new JobHandlerRegistry());
  const clock = opts.clock ?? systemClock;
  const egress = opts.egress ?? testEgress();
  const rt = createJobsRuntime({ pool, store, clock, log: quietLog, config, catalog, fetch: egress.fetch });
  return {
    ...rt,
    pool,
    store,
    catalog,
    config,
    reconcile: () => reconcileDefinitions(store, catalog.all(), quietLog),
    /** Enqueues `n` manual runs of `job` in batches; returns their ids. */
    async enqueueMany(job: string, n: number, params: Record<string, unknown> | ((i: number) => Record<string, unknown>) = {}, batch = 500): Promise<string[]> {
      const def = catalog.get(job)!;
      const ids: string[] = [];
      for (let i = 0; i < n; i += batch) {
        const evs = Array.from({ length: Math.min(batch, n - i) }, (_, j) => {
          const [e] = eventsOrThrow(runDecider.decide({ type: 'Enqueue', definition: def, runId: randomUUID(), trigger: 'manual', actor: 'test', reason: 'test', params: typeof params === 'function' ? params(i + j) : params, now: clock.now() }, null));
          return { event: e as RunEnqueued };
        });
        ids.push(...(await rt.queue.enqueue(evs)).runIds);
      }
      return ids;
    },
    async close() {
      await store.close();
      await pool.end();
      await egress.close();
    },
  };
}
export type TestRuntime = ReturnType<typeof runtimeOn>;

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function streamTypes(pool: Pool, runId: string): Promise<string[]> {
  const { rows } = await pool.query<{ type: string }>(`SELECT type FROM events WHERE stream_id = $1 ORDER BY revision`, [`job-${runId}`]);
  return rows.map((r) => r.type);
}

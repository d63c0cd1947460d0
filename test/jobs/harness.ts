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
import { streamTypes as typesOf } from '../support/wait-for-events';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function jobsConfig(env: Record<string, string> = {}): JobsConfig {
  return loadConfig({ WORKER_POLL_MS: '50', WORKER_HEARTBEAT_MS: '200', JOB_BACKOFF_BASE_MS: '10', JOB_KILL_GRACE_MS: '300', ...env }).jobs;
}

/** The plain job runtime over a database: one "process" (own pool and store). */
export function runtimeOn(
  url: string,
  opts: { config?: JobsConfig; catalog?: JobCatalog; clock?: Clock; poolSize?: number; egress?: Egress; log?: pino.Logger } = {},
) {
  const config = opts.config ?? jobsConfig();
  const pool = new Pool({ connectionString: url, max: opts.poolSize ?? 8 });
  pool.on('error', () => undefined); // idle clients cut when the test database is dropped (as DatabaseModule does)
  const store = new PostgresEventStore(pool, { pollMs: 100 });
  const catalog =
    opts.catalog ??
    new JobCatalog(
      {
        timeoutMs: config.jobDefaultTimeoutMs,
        maxAttempts: config.jobDefaultMaxAttempts,
        backoffBaseMs: config.jobBackoffBaseMs,
        backoffMaxMs: config.jobBackoffMaxMs,
      },
      new JobHandlerRegistry(),
    );
  const clock = opts.clock ?? systemClock;
  const egress = opts.egress ?? testEgress();
  const log = opts.log ?? quietLog;
  const rt = createJobsRuntime({ pool, store, clock, log, config, catalog, fetch: egress.fetch });
  return {
    ...rt,
    pool,
    store,
    catalog,
    config,
    reconcile: () => reconcileDefinitions(store, catalog.all(), log),
    /** Enqueues `n` manual runs of `job` in batches; returns their ids. */
    async enqueueMany(job: string, n: number, params: Record<string, unknown> | ((i: number) => Record<string, unknown>) = {}, batch = 500): Promise<string[]> {
      const def = catalog.get(job)!;
      const ids: string[] = [];
      for (let i = 0; i < n; i += batch) {
        const evs = Array.from({ length: Math.min(batch, n - i) }, (_, j) => {
          const [e] = eventsOrThrow(
            runDecider.decide(
              {
                type: 'Enqueue',
                definition: def,
                runId: randomUUID(),
                trigger: 'manual',
                actor: 'test',
                reason: 'test',
                params: typeof params === 'function' ? params(i + j) : params,
                now: clock.now(),
              },
              null,
            ),
          );
          return { event: e as RunEnqueued };
        });
        ids.push(...(await rt.queue.enqueue(evs)).runIds);
      }
      return ids;
    },
    /** A worker's lease row, as JobWorker.start writes it, for tests that claim without a worker: last seen `seenAgo` before now, stopped if said. */
    async registerWorker(id: string, opts: { seenAgo?: string; stopped?: boolean } = {}): Promise<void> {
      await pool.query(
        `INSERT INTO job_workers (id, host, pid, mode, version, concurrency, last_seen, stopped_at)
         VALUES ($1, 'h', 1, 'worker', 't', 1, now() - $2::interval, CASE WHEN $3 THEN now() END)`,
        [id, opts.seenAgo ?? '0', opts.stopped ?? false],
      );
    },
    async close() {
      await store.close();
      await pool.end();
      await egress.close();
    },
  };
}
export type TestRuntime = ReturnType<typeof runtimeOn>;

/** Event types of one run's stream, oldest first. */
export const streamTypes = (pool: Pool, runId: string): Promise<string[]> => typesOf(pool, `job-${runId}`);

import pino from 'pino';
import { foldInMemory, Projection } from '../../projections/projection';
import type { RecordedEvent } from '../../src/event-store/envelope';
import { PostgresEventStore, Queryable } from '../../src/event-store/postgres/postgres-event-store';
import { applyEvents } from '../../src/event-store/postgres/apply-events';
import { ProjectionWorker, RebuildProgress, RunnerEventSource, WorkerOptions } from '../../src/projection-runner/projection-worker';
import type { TestDatabase } from '../support/test-database';

export interface CountRow {
  count: number;
  sum: number;
  last: number;
  v?: number;
  by?: string;
}

/** A projection over `Counted {n}` events: one row per stream with count, sum and last n. */
export function counter(
  name: string,
  opts: { version?: number; inline?: boolean; by?: string; failWhen?: (e: RecordedEvent) => boolean } = {},
): Projection<CountRow> {
  const version = opts.version ?? 1;
  return {
    name,
    version,
    inline: opts.inline,
    canHandle: ['Counted'],
    keysOf: (e) => [e.streamId],
    evolve: (row, e) => {
      if (opts.failWhen?.(e)) throw new Error(`cannot fold event ${e.position} (n=${(e.data as { n: number }).n})`);
      const n = (e.data as { n: number }).n;
      return { count: (row?.count ?? 0) + 1, sum: (row?.sum ?? 0) + n, last: n, ...(version > 1 ? { v: version } : {}), ...(opts.by ? { by: opts.by } : {}) };
    },
  };
}

export async function createRmTable(db: Queryable, name: string): Promise<void> {
  await db.query(`CREATE TABLE rm_${name} (key text primary key, doc jsonb not null, stream_id text, revision bigint)`);
}

export const testOptions = (over: Partial<WorkerOptions> = {}): WorkerOptions => ({
  batchSize: 100,
  rebuildBatchSize: 100,
  // One page per rebuild step: a test can watch (and stop) a rebuild half-way, page by page.
  rebuildPagesPerStep: 1,
  pollMs: 50,
  retryMs: 300,
  lockRetryMs: 100,
  autoRebuild: true,
  swapLockTimeoutMs: 1000,
  ...over,
});

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function makeWorker(
  db: TestDatabase,
  store: RunnerEventSource,
  projection: Projection<any>,
  opts: { options?: Partial<WorkerOptions>; onRebuildProgress?: (p: RebuildProgress) => void; log?: pino.Logger } = {},
): ProjectionWorker {
  return new ProjectionWorker({
    pool: db.pool,
    store,
    databaseUrl: db.url,
    projection,
    log: opts.log ?? quietLog,
    options: testOptions(opts.options),
    onRebuildProgress: opts.onRebuildProgress,
  });
}

/** Appends `count` Counted events round-robin over `streams` streams, `per` events per append. */
export async function appendCounted(store: PostgresEventStore, prefix: string, streams: number, count: number, per = 1, start = 0): Promise<void> {
  let n = start;
  const jobs: Promise<unknown>[] = [];
  for (let s = 0; s < streams; s++) {
    const stream = `${prefix}-${s}`;
    const mine = Math.ceil((count - s) / streams);
    jobs.push(
      (async () => {
        for (let i = 0; i < mine; i += per) {
          const k = Math.min(per, mine - i);
          await store.append(
            stream,
            Array.from({ length: k }, () => ({ type: 'Counted', data: { n: n++ } })),
            'any',
          );
        }
      })(),
    );
  }
  await Promise.all(jobs);
}

export async function readAllEvents(store: PostgresEventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let from: string | null = null;
  for (;;) {
    const page = await store.readAll(from, 5000);
    if (!page.length) return out;
    out.push(...page);
    from = page[page.length - 1].checkpoint;
  }
}

/** The table as a sorted list of rows, for row-by-row comparisons. */
export async function tableRows(db: Queryable, table: string): Promise<{ key: string; doc: unknown; stream_id: string | null; revision: string | null }[]> {
  const { rows } = await db.query(`SELECT key, doc, stream_id, revision FROM ${table} ORDER BY key`);
  return rows;
}

/** What the table must hold: the projection folded in memory over the whole log. */
export async function expectedRows(store: PostgresEventStore, projection: Projection<any>): Promise<Record<string, unknown>> {
  return Object.fromEntries([...foldInMemory(projection, await readAllEvents(store))].sort(([a], [b]) => a.localeCompare(b)));
}

export async function docs(db: Queryable, table: string): Promise<Record<string, unknown>> {
  return Object.fromEntries((await tableRows(db, table)).map((r) => [r.key, r.doc]));
}

export async function checkpointRow(db: Queryable, name: string): Promise<any> {
  const { rows } = await db.query(`SELECT * FROM projection_checkpoints WHERE name = $1`, [name]);
  return rows[0] ?? null;
}

/** Slows the rebuild track down (reads of `rebuildLimit` events outside a transaction wait `delayMs`), so a test can watch it. */
export class SlowRebuildSource implements RunnerEventSource {
  rebuildReads = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly rebuildLimit: number,
    public delayMs: number,
  ) {}

  async readAll(from: string | null, limit: number, db?: Queryable): Promise<RecordedEvent[]> {
    if (limit === this.rebuildLimit && !db) {
      this.rebuildReads++;
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    }
    return this.store.readAll(from, limit, db);
  }

  readCommittedAfter(from: string | null, types: readonly string[], limit: number, db?: Queryable): Promise<RecordedEvent[]> {
    return this.store.readCommittedAfter(from, types, limit, db);
  }

  waitForAppend(ms: number, signal?: AbortSignal): Promise<void> {
    return this.store.waitForAppend(ms, signal);
  }
}

/** An appender of an inline projection: the events and their rows in one transaction. */
export async function appendInline(
  db: TestDatabase,
  store: PostgresEventStore,
  projection: Projection<any>,
  stream: string,
  events: { type: string; data: unknown }[],
): Promise<void> {
  const c = await db.pool.connect();
  try {
    await c.query('BEGIN');
    const r = await store.appendWith(c, stream, events, 'any');
    await applyEvents(c, projection, r.events);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Captures pino lines so a test can look for log families (projection.rebuilt, projection.failed). */
export function capturingLog(): { log: pino.Logger; events: () => { event: string; [k: string]: unknown }[] } {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  return { log, events: () => lines.map((l) => JSON.parse(l)) };
}

/**
 * True when the projection's checkpoint is past every committed event. Tests wait on this, not
 * only on "lag 0": the readable head is held back by any open transaction in the whole cluster
 * (other test files share the server), so lag can read 0 while events are still to come.
 */
export async function pastEveryEvent(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT p.checkpoint IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM events e
               WHERE (e.transaction_id, e.position) > (split_part(p.checkpoint, ':', 1)::xid8, split_part(p.checkpoint, ':', 2)::bigint)) AS ok
       FROM projection_checkpoints p WHERE p.name = $1`,
    [name],
  );
  return rows[0]?.ok ?? false;
}

import type { Pool } from 'pg';
import type { RunRow } from '../../projections/job-runs/run-row';
import { BadInput } from '../shared/errors';
import type { Trigger } from './events/run.events';
import type { RunStatus } from './run.state';

/** A run as a list shows it: the queue's copy has no log tail or signature until the history's fills them in. */
export type ListedRun = Omit<RunRow, 'logTail'> & { logTail?: string | null };

/** Every filter of GET /api/runs, checked (the DTO and parseRunCursor) before it gets here. */
export interface RunSearch {
  readonly state?: RunStatus;
  readonly job?: string;
  /** The caller's scope (a tenant-scoped token): always applied. */
  readonly scope: string | null;
  /** The tenant asked for (`tenant=`): applied on top of the scope. */
  readonly tenant?: string;
  readonly trigger?: Trigger;
  readonly actor?: string;
  /** createdAt ≥ from, < to. */
  readonly from?: Date;
  readonly to?: Date;
  readonly exitCode?: number;
  /** Substring of the error or the log tail, case-insensitive (history only). */
  readonly q?: string;
  /** Failure signature (history only). */
  readonly signature?: string;
  readonly after?: RunCursor;
}

/** Where the previous page ended: list order is createdAt, then run id, both descending. */
export interface RunCursor {
  readonly enqueuedAt: string;
  readonly runId: string;
}

/**
 * The text `q` searches. It must stay the expression of the trigram index
 * (migrations/0022-failure-signatures.ts, rm_job_runs_text_trgm), or the planner cannot use it.
 */
export const RUN_TEXT_SQL = `(coalesce(doc->>'error', '') || ' ' || coalesce(doc->>'logTail', ''))`;

export const encodeRunCursor = (r: { enqueuedAt: string; runId: string }) => Buffer.from(`${r.enqueuedAt}|${r.runId}`).toString('base64url');

/** A cursor this endpoint handed out, or a 400 naming `cursor` (nothing else reaches PostgreSQL). */
export function parseRunCursor(cursor: string): RunCursor {
  const bad = () => BadInput.field('cursor', 'is not a cursor this endpoint returned (pass nextCursor back unchanged)');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!m || Number.isNaN(Date.parse(m[1])) || new Date(m[1]).toISOString() !== m[1]) throw bad();
  return { enqueuedAt: m[1], runId: m[2] };
}

/** `%`, `_` and `\` of a search text match themselves. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** WHERE clause and arguments of a run search, for either run table (q and signature: the history's columns). */
function where(f: RunSearch, history: boolean): { sql: string; args: unknown[] } {
  const clauses: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let s = sql;
    for (const v of values) s = s.replace('?', `$${args.push(v)}`);
    clauses.push(s);
  };
  if (f.scope !== null) add('tenant = ?', f.scope);
  if (f.tenant !== undefined) add('tenant = ?', f.tenant);
  if (f.state) add('state = ?', f.state);
  if (f.job) add('job = ?', f.job);
  if (f.trigger) add(`doc->>'trigger' = ?`, f.trigger);
  if (f.actor) add(`doc->>'actor' = ?`, f.actor);
  if (f.from) add('enqueued_at >= ?::timestamptz', f.from.toISOString());
  if (f.to) add('enqueued_at < ?::timestamptz', f.to.toISOString());
  if (f.exitCode !== undefined) add(`doc->'exitCode' = ?::jsonb`, JSON.stringify(f.exitCode));
  if (history && f.signature) add('error_signature = ?', f.signature);
  if (history && f.q) add(`${RUN_TEXT_SQL} ILIKE ?`, `%${likeEscape(f.q)}%`);
  if (f.after) add('(enqueued_at, key) < (?::timestamptz, ?)', f.after.enqueuedAt, f.after.runId);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', args };
}

const newestFirst = (a: ListedRun, b: ListedRun) =>
  a.enqueuedAt < b.enqueuedAt ? 1 : a.enqueuedAt > b.enqueuedAt ? -1 : a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;

/**
 * One page of runs, newest first, keyset-paged on (createdAt, run id). Both run tables are read
 * and merged as RunReadModel.list does (the queue's copy is fresher, the history's has the log tail
 * and signature). `q` and `signature` search the history alone — the queue keeps neither — and
 * the queue's copies of the runs found replace their state; a run finished a moment ago is found
 * once the job_runs projection has folded it (it lags by well under a second when live).
 */
export async function searchRuns(pool: Pool, f: RunSearch, limit: number): Promise<{ runs: ListedRun[]; nextCursor: string | null }> {
  const page = async (table: string, history: boolean) => {
    const w = where(f, history);
    const { rows } = await pool.query<{ doc: ListedRun }>(`SELECT doc FROM ${table} ${w.sql} ORDER BY enqueued_at DESC, key DESC LIMIT $${w.args.length + 1}`, [
      ...w.args,
      limit + 1,
    ]);
    return rows.map((r) => r.doc);
  };
  const historyOnly = f.q !== undefined || f.signature !== undefined;
  const [history, queue] = await Promise.all([page('rm_job_runs', true), historyOnly ? Promise.resolve(null) : page('rm_job_queue', false)]);
  const fresher =
    queue ??
    (history.length
      ? (await pool.query<{ doc: ListedRun }>('SELECT doc FROM rm_job_queue WHERE key = ANY($1)', [history.map((r) => r.runId)])).rows.map((r) => r.doc)
      : []);
  const byId = new Map<string, ListedRun>();
  for (const h of history) byId.set(h.runId, h);
  for (const q of fresher) {
    const h = byId.get(q.runId);
    if (queue === null && !h) continue;
    byId.set(q.runId, { ...q, logTail: h?.logTail ?? null, errorSignature: h?.errorSignature ?? null });
  }
  const merged = [...byId.values()].sort(newestFirst);
  const runs = merged.slice(0, limit);
  return { runs, nextCursor: merged.length > limit ? encodeRunCursor(runs[runs.length - 1]) : null };
}

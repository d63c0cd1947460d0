import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import type { Projection } from '../../../projections/projection';
import type { RecordedEvent } from '../../../src/event-store/envelope';
import { EVENT_COLUMNS, eventFromRow, EventRow } from '../../../src/event-store/postgres/event-reads';
import { applyEvents } from '../../../src/event-store/postgres/apply-events';
import { liveTable } from '../../../src/event-store/postgres/row-store';
import { ROOT } from '../main-process';

const isProjection = (v: unknown): v is Projection<unknown> =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Projection).name === 'string' &&
  typeof (v as Projection).evolve === 'function' &&
  typeof (v as Projection).keysOf === 'function' &&
  Array.isArray((v as Projection).canHandle);

/** Every projection in projections/ (each `*.projection.ts` exports its fold), so a new one is checked too. */
export function discoverProjections(): Map<string, Projection<unknown>> {
  const out = new Map<string, Projection<unknown>>();
  const dir = path.join(ROOT, 'projections');
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const f of readdirSync(path.join(dir, sub.name))) {
      if (!f.endsWith('.projection.ts')) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      for (const v of Object.values(require(path.join(dir, sub.name, f)) as Record<string, unknown>)) if (isProjection(v)) out.set(v.name, v);
    }
  }
  return out;
}

/** The whole log in commit order (transaction_id, position): the order every projection folds in. */
export async function readLogInCommitOrder(pool: Pool): Promise<RecordedEvent[]> {
  const { rows } = await pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY events.transaction_id, events.position`);
  return rows.map(eventFromRow);
}

type Row = { key: string; doc: unknown; stream_id: string | null; revision: string | null };

/**
 * Folds the log with the projection's own code (applyEvents, as the runner does) into a fresh
 * copy of its table, and names every row where the live table differs from that rebuild.
 */
export async function rebuildDifferences(pool: Pool, projection: Projection<unknown>, log: readonly RecordedEvent[], batch = 500): Promise<string[]> {
  const live = liveTable(projection.name);
  const fresh = `chaos_rebuild_${projection.name.replace(/[^a-z0-9_]/gi, '_')}`;
  await pool.query(`DROP TABLE IF EXISTS ${fresh}`);
  await pool.query(`CREATE TABLE ${fresh} (LIKE ${live} INCLUDING ALL)`);
  try {
    for (let i = 0; i < log.length; i += batch) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await applyEvents(c, projection, log.slice(i, i + batch), fresh);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    }
    const read = async (t: string) => new Map((await pool.query<Row>(`SELECT key, doc, stream_id, revision::text FROM ${t}`)).rows.map((r) => [r.key, r]));
    const [a, b] = [await read(live), await read(fresh)];
    const out: string[] = [];
    for (const [key, row] of a) {
      const want = b.get(key);
      if (!want) out.push(`${live} has ${key}, a rebuild does not`);
      else if (JSON.stringify(sortKeys(row)) !== JSON.stringify(sortKeys(want)))
        out.push(`${live} ${key} differs from a rebuild:\n  live    ${JSON.stringify(sortKeys(row))}\n  rebuilt ${JSON.stringify(sortKeys(want))}`);
    }
    for (const key of b.keys()) if (!a.has(key)) out.push(`${live} lacks ${key}, which a rebuild has`);
    return out;
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${fresh}`);
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

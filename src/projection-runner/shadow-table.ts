import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { liveTable } from '../event-store/postgres/row-store';

/** Where a rebuild folds the log from position 0 while the live table keeps serving. */
export const shadowTable = (projection: string) => `${liveTable(projection)}__rebuild`;

export async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [table]);
  return rows[0].ok;
}

/** A fresh, empty copy of the live table: same columns, defaults, generated columns, checks, indexes. */
export async function createShadow(db: Queryable, projection: string): Promise<string> {
  const live = liveTable(projection);
  const shadow = shadowTable(projection);
  if (!(await tableExists(db, live))) throw new Error(`table ${live} does not exist: a migration creates a projection's live table`);
  await db.query(`DROP TABLE IF EXISTS ${shadow}`);
  await db.query(`CREATE TABLE ${shadow} (LIKE ${live} INCLUDING ALL)`);
  return shadow;
}

/** "CREATE UNIQUE INDEX x ON public.t USING btree (key)" → "UNIQUE USING btree (key)": what the index is, not its name. */
const indexShape = (def: string) => def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ /, '$1');

/**
 * Swaps the shadow in for the live table; the caller's transaction holds the live table's
 * ACCESS EXCLUSIVE lock. The shadow's indexes (and their constraints) take the live ones' names,
 * so the next rebuild's LIKE copy starts from the same names again.
 */
export async function swapShadowIn(db: Queryable, projection: string): Promise<void> {
  const live = liveTable(projection);
  const shadow = shadowTable(projection);
  const old = `${live}__old`;
  const { rows } = await db.query<{ tbl: string; idx: string; def: string }>(
    `SELECT c.relname AS tbl, ic.relname AS idx, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid IN (to_regclass($1), to_regclass($2))
      ORDER BY ic.relname`,
    [live, shadow],
  );
  const liveName = live.toLowerCase();
  const oldIndexes = rows.filter((r) => r.tbl === liveName).map((r) => ({ name: r.idx, shape: indexShape(r.def) }));
  const renames: [string, string][] = [];
  for (const r of rows.filter((r) => r.tbl !== liveName)) {
    const i = oldIndexes.findIndex((o) => o.shape === indexShape(r.def));
    if (i < 0) continue;
    if (oldIndexes[i].name !== r.idx) renames.push([r.idx, oldIndexes[i].name]);
    oldIndexes.splice(i, 1);
  }
  await db.query(`DROP TABLE IF EXISTS ${old}`);
  await db.query(`ALTER TABLE ${live} RENAME TO ${old}`);
  await db.query(`ALTER TABLE ${shadow} RENAME TO ${live}`);
  await db.query(`DROP TABLE ${old}`);
  for (const [from, to] of renames) await db.query(`ALTER INDEX "${from}" RENAME TO "${to}"`);
}

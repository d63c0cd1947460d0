import type { SqlSession } from '../unit-of-work';

/** One stored read-model row: the JSON document plus the stream position that last changed it. */
export interface StoredRow<Row = unknown> {
  doc: Row;
  streamId: string | null;
  revision: bigint | null;
}

export const liveTable = (projection: string) => `rm_${projection.replace(/[^a-z0-9_]/gi, '_')}`;

/**
 * Reads and writes the rows of one read-model table (inline projections in the append's
 * transaction, the projection runner in its batches) `(key text PK, doc jsonb, stream_id text,
 * revision bigint)`. Tables are created by migrations, which may add generated columns and
 * indexes over `doc` for the queries the API needs.
 */
export class RowStore<Row = unknown> {
  constructor(readonly table: string) {}

  async load(db: SqlSession, keys: readonly string[], forUpdate: boolean): Promise<Map<string, StoredRow<Row>>> {
    const out = new Map<string, StoredRow<Row>>();
    if (!keys.length) return out;
    const { rows } = await db.query<{ key: string; doc: Row; stream_id: string | null; revision: string | null }>(
      `SELECT key, doc, stream_id, revision FROM ${this.table} WHERE key = ANY($1::text[]) ORDER BY key${forUpdate ? ' FOR UPDATE' : ''}`,
      [keys],
    );
    for (const r of rows) out.set(r.key, { doc: r.doc, streamId: r.stream_id, revision: r.revision === null ? null : BigInt(r.revision) });
    return out;
  }

  /** Upserts changed rows and deletes removed ones, each in one statement. */
  async save(db: SqlSession, changes: ReadonlyMap<string, StoredRow<Row> | null>): Promise<void> {
    const upserts = [...changes].filter((c): c is [string, StoredRow<Row>] => c[1] !== null);
    const deletes = [...changes].filter(([, v]) => v === null).map(([k]) => k);
    if (upserts.length) {
      await db.query(
        `INSERT INTO ${this.table} (key, doc, stream_id, revision)
         SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::bigint[])
         ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc, stream_id = EXCLUDED.stream_id, revision = EXCLUDED.revision`,
        [
          upserts.map(([k]) => k),
          upserts.map(([, v]) => JSON.stringify(v.doc)),
          upserts.map(([, v]) => v.streamId),
          upserts.map(([, v]) => (v.revision === null ? null : v.revision.toString())),
        ],
      );
    }
    if (deletes.length) await db.query(`DELETE FROM ${this.table} WHERE key = ANY($1::text[])`, [deletes]);
  }
}

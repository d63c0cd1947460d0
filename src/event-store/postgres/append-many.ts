import { randomUUID } from 'node:crypto';
import type { AppendResult, EventMetadata, RecordedEvent } from '../envelope';
import type { AppendOptions } from '../event-store.port';
import { ExpectedVersionConflict } from '../expected-version-conflict.error';
import type { InlineProjections } from '../inline-projections';
import { checkDistinctStreams, SqlSession, StreamAppend } from '../unit-of-work';
import { upcast } from '../upcasters';
import { foldRows } from './apply-events';
import { encodeCheckpoint } from './checkpoint';
import { liveTable, StoredRow } from './row-store';
import { collidedRevision, collidedStream } from './unique-violation';

/**
 * Many streams in one statement: the current revision of each stream (one index probe each), the
 * expected-revision check, and the insert only when every stream matches, so a mismatch inserts
 * nothing and the statement answers with the first stream at fault instead. A writer that commits
 * between the check and the insert collides on UNIQUE (stream_id, revision). Events are inserted
 * in argument order (a plain scan of the unnest), so positions follow revisions in each stream.
 */
const CHECK = `
  WITH a AS (
    SELECT a.ord, a.stream, a.kind, a.expected,
           coalesce((SELECT e.revision FROM events e WHERE e.stream_id = a.stream ORDER BY e.revision DESC LIMIT 1), -1) AS actual
      FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS a(stream, kind, expected, ord)),
  bad AS (
    SELECT a.stream, a.actual FROM a
     WHERE (a.kind = 'no_stream' AND a.actual <> -1) OR (a.kind = 'stream_exists' AND a.actual = -1) OR (a.kind = 'exact' AND a.actual <> a.expected)
     ORDER BY a.ord LIMIT 1),
  heads AS (SELECT array_agg(a.actual ORDER BY a.ord) AS actuals FROM a)`;

const insertEvents = (gate: string) => `
  ins AS (
    INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
    SELECT ($1::text[])[u.app], (SELECT h.actuals FROM heads h)[u.app] + u.off, u.id, u.t, u.v, u.d, u.m
      FROM unnest($4::int[], $5::int[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[]) AS u(app, off, id, t, v, d, m)
     WHERE NOT EXISTS (SELECT 1 FROM bad)${gate}
    RETURNING events.position, events.revision, events.event_id, events.transaction_id::text AS tx, events.recorded_at)
  SELECT NULL::text AS bad_stream, ins.revision, ins.position, ins.event_id, ins.tx, ins.recorded_at FROM ins
  UNION ALL
  SELECT bad.stream, bad.actual, NULL, NULL, NULL, NULL FROM bad`;

const APPEND_STREAMS = { name: 'ol_append_streams', text: `${CHECK},${insertEvents('')}` };

/**
 * The same with the rows of inline projections folded before the insert, gated by the same check;
 * per table: the held rows updated in place (a plain UPDATE: no insert attempt, and a row deleted
 * meanwhile is not put back), new rows inserted, removed rows deleted. The events' insert waits for
 * them (its gate reads their counts), so the statement takes its row locks first, in key order, as
 * every locking writer of those rows does before it appends (no lock-order deadlock with them); a
 * writer that changed a row meanwhile also appended to its stream, so this insert collides and the
 * whole statement, rows included, is undone.
 */
function appendWithRows(tables: readonly string[]): { name: string; text: string } {
  const ctes = tables.map((t, i) => {
    const p = 11 + i * ROW_PARAMS;
    return `
  u${i} AS (
    UPDATE ${t} r SET doc = c.doc, stream_id = c.stream_id, revision = c.revision
      FROM unnest($${p}::text[], $${p + 1}::jsonb[], $${p + 2}::text[], $${p + 3}::bigint[]) AS c(key, doc, stream_id, revision)
     WHERE r.key = c.key AND NOT EXISTS (SELECT 1 FROM bad)
    RETURNING 1),
  n${i} AS (
    INSERT INTO ${t} (key, doc, stream_id, revision)
    SELECT * FROM unnest($${p + 4}::text[], $${p + 5}::jsonb[], $${p + 6}::text[], $${p + 7}::bigint[]) WHERE NOT EXISTS (SELECT 1 FROM bad)
    ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc, stream_id = EXCLUDED.stream_id, revision = EXCLUDED.revision
    RETURNING 1),
  x${i} AS (DELETE FROM ${t} WHERE key = ANY($${p + 8}::text[]) AND NOT EXISTS (SELECT 1 FROM bad) RETURNING 1)`;
  });
  const gate = tables.map((_, i) => `\n       AND (SELECT count(*) FROM u${i}) + (SELECT count(*) FROM n${i}) + (SELECT count(*) FROM x${i}) >= 0`).join('');
  return { name: `ol_append_rows:${tables.join(',')}`, text: `${CHECK},${ctes.join(',')},${insertEvents(gate)}` };
}
const ROW_PARAMS = 9;

/** One read-model table's row changes, folded before the insert. */
export interface FoldedRows {
  readonly table: string;
  /** Rows the caller held, in key order. */
  readonly updates: readonly [string, StoredRow][];
  /** Rows the caller knew did not exist, in append order. */
  readonly inserts: readonly [string, StoredRow][];
  readonly deletes: readonly string[];
}

/** A multi-stream append ready to send: its statement arrays and, where they could be folded first, its inline rows. */
export interface PreparedAppend {
  readonly appends: readonly StreamAppend[];
  readonly values: unknown[];
  readonly ids: readonly string[];
  readonly metas: readonly EventMetadata[];
  /** Null: an inline projection concerned could not be folded before the insert (the caller applies it after). */
  readonly rows: readonly FoldedRows[] | null;
}

export function prepareAppend(appends: readonly StreamAppend[], inline: InlineProjections, options?: AppendOptions): PreparedAppend {
  if (!appends.length) throw new Error('appendMany needs at least one stream');
  if (appends.some((a) => !a.events.length)) throw new Error('appendMany: every stream needs at least one event');
  checkDistinctStreams(appends);
  const occurredAt = new Date().toISOString();
  const [app, off, ids, types, versions, data, meta] = [[], [], [], [], [], [], []] as [number[], number[], string[], string[], number[], string[], string[]];
  const metas: EventMetadata[] = [];
  appends.forEach((a, i) =>
    a.events.forEach((e, k) => {
      const m = { occurredAt, ...e.metadata } as EventMetadata;
      app.push(i + 1);
      off.push(k + 1);
      ids.push(e.eventId ?? randomUUID());
      types.push(e.type);
      versions.push(e.schemaVersion ?? 1);
      data.push(JSON.stringify(e.data ?? null));
      meta.push(JSON.stringify(m));
      metas.push(m);
    }),
  );
  const kinds = appends.map((a) => (typeof a.expected === 'bigint' ? 'exact' : a.expected));
  const expected = appends.map((a) => (typeof a.expected === 'bigint' ? a.expected.toString() : null));
  const values: unknown[] = [appends.map((a) => a.streamId), kinds, expected, app, off, ids, types, versions, data, meta];
  return { appends, values, ids, metas, rows: inline.concern(types.map((type) => ({ type }))) ? foldBefore(appends, ids, metas, inline, options) : [] };
}

/**
 * The inline rows of the append, folded before it is stored: possible when every projection it
 * concerns says `foldBeforeInsert`, the caller holds every row they touch (`knownRows`), and every
 * stream's revisions are known in advance (expected exact or `no_stream`).
 */
function foldBefore(
  appends: readonly StreamAppend[],
  ids: readonly string[],
  metas: readonly EventMetadata[],
  inline: InlineProjections,
  options?: AppendOptions,
): FoldedRows[] | null {
  if (appends.some((a) => typeof a.expected !== 'bigint' && a.expected !== 'no_stream')) return null;
  let n = 0;
  const events = appends.flatMap((a) => {
    const base = typeof a.expected === 'bigint' ? a.expected : -1n;
    return a.events.map((e, k): RecordedEvent => {
      const i = n++;
      const up = upcast(e.type, e.schemaVersion ?? 1, e.data ?? null, metas[i]);
      // position, recordedAt and checkpoint are the store's: a foldBeforeInsert projection reads none of them.
      return {
        eventId: ids[i],
        streamId: a.streamId,
        revision: base + BigInt(k + 1),
        position: -1n,
        type: e.type,
        schemaVersion: up.schemaVersion,
        data: up.data,
        metadata: metas[i],
        recordedAt: new Date(metas[i].occurredAt),
        checkpoint: '',
      };
    });
  });
  const out: FoldedRows[] = [];
  for (const [projection, mine] of inline.affected(events)) {
    const known = options?.knownRows?.[projection.name];
    if (!projection.foldBeforeInsert || !known) return null;
    const keyed = mine.map((e) => ({ e, keys: projection.keysOf(e) }));
    if (keyed.some((k) => k.keys.some((key) => !known.has(key)))) return null;
    const changes = foldRows(projection, keyed, (key) => {
      const doc = known.get(key);
      return doc === null || doc === undefined ? null : { doc, streamId: null, revision: null };
    });
    const held = (key: string) => known.get(key) !== null && known.get(key) !== undefined;
    const written = [...changes].filter((c): c is [string, StoredRow] => c[1] !== null);
    out.push({
      table: liveTable(projection.name),
      // Held rows are locked in key order; new rows go in append order (the heap order breaks ties of the claim index: FIFO).
      updates: written.filter(([k]) => held(k)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
      inserts: written.filter(([k]) => !held(k)),
      deletes: [...changes].filter(([, v]) => v === null).map(([k]) => k),
    });
  }
  return out;
}

/** Sends the append (with `rows`, when given) on `db`: one statement. */
export async function runAppend(db: SqlSession, p: PreparedAppend, rows: readonly FoldedRows[]): Promise<AppendResult[]> {
  const { appends, ids, metas } = p;
  const statement = rows.length ? appendWithRows(rows.map((r) => r.table)) : APPEND_STREAMS;
  const values = [...p.values];
  const columns = (list: readonly [string, StoredRow][]) => [
    list.map(([k]) => k),
    list.map(([, v]) => JSON.stringify(v.doc)),
    list.map(([, v]) => v.streamId),
    list.map(([, v]) => (v.revision === null ? null : v.revision.toString())),
  ];
  for (const r of rows) values.push(...columns(r.updates), ...columns(r.inserts), r.deletes);
  let result: { rows: { bad_stream: string | null; revision: string; position: string; event_id: string; tx: string; recorded_at: Date }[] };
  try {
    result = await db.query({ ...statement, values });
  } catch (err) {
    const e = err as { code?: string; constraint?: string; detail?: string };
    if (e.code === '23505' && e.constraint === 'events_stream_revision_key') {
      const stream = collidedStream(e.detail) ?? '(one of a multi-stream append)';
      throw new ExpectedVersionConflict(stream, appends.find((a) => a.streamId === stream)?.expected ?? 'any', collidedRevision(e.detail));
    }
    throw err;
  }
  const bad = result.rows.find((r) => r.bad_stream !== null);
  if (bad) throw new ExpectedVersionConflict(bad.bad_stream!, appends.find((a) => a.streamId === bad.bad_stream)!.expected, BigInt(bad.revision));
  const byId = new Map(result.rows.map((r) => [r.event_id, r]));
  let n = 0;
  return appends.map((a): AppendResult => {
    const recorded = a.events.map((e): RecordedEvent => {
      const i = n++;
      const r = byId.get(ids[i])!;
      const up = upcast(e.type, e.schemaVersion ?? 1, e.data ?? null, metas[i]);
      const position = BigInt(r.position);
      return {
        eventId: ids[i],
        streamId: a.streamId,
        revision: BigInt(r.revision),
        position,
        type: e.type,
        schemaVersion: up.schemaVersion,
        data: up.data,
        metadata: metas[i],
        recordedAt: r.recorded_at,
        checkpoint: encodeCheckpoint(r.tx, position),
      };
    });
    return { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((e) => e.position), events: recorded };
  });
}

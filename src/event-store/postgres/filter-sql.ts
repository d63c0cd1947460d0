import { escapeLiteral } from 'pg';
import type { EventFilter, Range, TimeWindow } from '../event-filter';

type SqlType = 'text' | 'text[]' | 'bigint' | 'bigint[]' | 'timestamptz' | 'xid8';

/**
 * Values of a statement: bind parameters, or (for DECLARE … CURSOR, which takes none) escaped
 * literals. Every value is typed, so a literal is as safe as a parameter.
 */
export class SqlValues {
  readonly values: unknown[] = [];
  constructor(private readonly mode: 'params' | 'literals' = 'params') {}

  /** Arrays hold text (a `bigint[]` its numbers as text); null is NULL. */
  add(value: string | bigint | Date | readonly (string | null)[], type: SqlType): string {
    if (this.mode === 'params') {
      this.values.push(value instanceof Date ? value.toISOString() : typeof value === 'bigint' ? value.toString() : value);
      return `$${this.values.length}::${type}`;
    }
    if (Array.isArray(value)) return `ARRAY[${value.map((v) => (v === null ? 'NULL' : escapeLiteral(v))).join(',')}]::${type}`;
    const text = value instanceof Date ? value.toISOString() : String(value);
    return `${escapeLiteral(text)}::${type}`;
  }
}

/** How far apart the rows of one commit can be recorded (clock_timestamp per row), for `byCommit` windows. */
const COMMIT_SLACK = `interval '5 seconds'`;

const likePrefix = (p: string) => `${p.replace(/[\\%_]/g, '\\$&')}%`;

/** The WHERE condition of `filter` over the `events` table ('TRUE' when it has none). */
export function filterSql(filter: EventFilter | undefined, v: SqlValues): string {
  if (!filter) return 'TRUE';
  const and: string[] = [];
  if (filter.types) and.push(`events.type = ANY(${v.add(filter.types, 'text[]')})`);
  if (filter.streams || filter.streamPrefixes) {
    const or: string[] = [];
    if (filter.streams) or.push(`events.stream_id = ANY(${v.add(filter.streams, 'text[]')})`);
    if (filter.streamPrefixes) or.push(`events.stream_id LIKE ANY(${v.add(filter.streamPrefixes.map(likePrefix), 'text[]')})`);
    and.push(`(${or.join(' OR ')})`);
  }
  for (const [field, values] of Object.entries(filter.data ?? {})) and.push(`events.data->>${v.add(field, 'text')} = ANY(${v.add(values, 'text[]')})`);
  if (filter.tenant !== undefined) {
    const t = v.add(filter.tenant, 'text');
    and.push(`(events.metadata->>'tenant' = ${t} OR events.data->>'tenant' = ${t})`);
  }
  if (filter.recordedAt)
    and.push(...(filter.recordedAt.byCommit ? commitWindow(filter.recordedAt, v) : rangeSql('events.recorded_at', filter.recordedAt, v, 'timestamptz')));
  if (filter.positions) and.push(...rangeSql('events.position', filter.positions, v, 'bigint'));
  if (filter.anyOf) and.push(filter.anyOf.length ? `(${filter.anyOf.map((f) => filterSql(f, v)).join(' OR ')})` : 'FALSE');
  return and.length ? and.join(' AND ') : 'TRUE';
}

function rangeSql<T extends Date | bigint>(column: string, r: Range<T>, v: SqlValues, type: SqlType): string[] {
  const out: string[] = [];
  if (r.gt !== undefined) out.push(`${column} > ${v.add(r.gt, type)}`);
  if (r.gte !== undefined) out.push(`${column} >= ${v.add(r.gte, type)}`);
  if (r.lt !== undefined) out.push(`${column} < ${v.add(r.lt, type)}`);
  if (r.lte !== undefined) out.push(`${column} <= ${v.add(r.lte, type)}`);
  return out;
}

/**
 * A time window over commits: each commit counts at the time its first row was recorded. A
 * commit's rows carry one transaction id and are recorded moments apart, so a row just past an
 * edge belongs before it when a row of its transaction was recorded just before the edge.
 */
function commitWindow(w: TimeWindow, v: SqlValues): string[] {
  const startsBefore = (edge: Date, op: '<' | '<=') => {
    const e = v.add(edge, 'timestamptz');
    return `(events.recorded_at ${op} ${e} OR (events.recorded_at ${op} ${e} + ${COMMIT_SLACK} AND events.transaction_id IN (
      SELECT s.transaction_id FROM events s WHERE s.recorded_at > ${e} - ${COMMIT_SLACK} AND s.recorded_at ${op} ${e})))`;
  };
  // Each with the plain bound it implies, so the recorded_at index can bound the scan.
  const out: string[] = [];
  if (w.gt !== undefined) out.push(`events.recorded_at > ${v.add(w.gt, 'timestamptz')}`, `NOT ${startsBefore(w.gt, '<=')}`);
  if (w.gte !== undefined) out.push(`events.recorded_at >= ${v.add(w.gte, 'timestamptz')}`, `NOT ${startsBefore(w.gte, '<')}`);
  if (w.lt !== undefined) out.push(`events.recorded_at < ${v.add(w.lt, 'timestamptz')} + ${COMMIT_SLACK}`, startsBefore(w.lt, '<'));
  if (w.lte !== undefined) out.push(`events.recorded_at <= ${v.add(w.lte, 'timestamptz')} + ${COMMIT_SLACK}`, startsBefore(w.lte, '<='));
  return out;
}

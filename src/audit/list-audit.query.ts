import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { AuditLogRow } from '../../projections/audit-log/audit-log.row';
import { PG_POOL } from '../database/database.module';
import { BadInput } from '../shared/errors';
import { ListAuditDto } from './list-audit.dto';

export type AuditItem = Omit<AuditLogRow, 'atEpochMs'>;

export interface AuditPage {
  readonly items: AuditItem[];
  readonly nextCursor: string | null;
}

export class ListAuditQuery extends Query<AuditPage> {
  constructor(
    readonly filter: ListAuditDto,
    /** A tenant-scoped caller sees only its tenant's actions. */
    readonly tenant: string | null,
  ) {
    super();
  }
}

const encodeCursor = (r: AuditLogRow) => Buffer.from(`${r.atEpochMs}|${r.id}`).toString('base64url');
/** atEpochMs only feeds the indexed column and the cursor. */
const item = ({ atEpochMs: _ms, ...rest }: AuditLogRow): AuditItem => rest;
/** Latest instant a JavaScript Date (and so an audit entry) can have; PostgreSQL holds it too. */
const MAX_DATE_MS = 8_640_000_000_000_000;
function decodeCursor(c: string): { atMs: number; id: string } {
  const m = /^(\d{1,16})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(Buffer.from(c, 'base64url').toString());
  // Out-of-range instants would fail in PostgreSQL (500); they are not cursors this endpoint hands out.
  if (!m || Number(m[1]) > MAX_DATE_MS) throw BadInput.field('cursor', 'is not a cursor this endpoint returned (pass nextCursor back unchanged)');
  return { atMs: Number(m[1]), id: m[2] };
}

/** Newest first, keyset-paginated on (at, id) so pages stay stable while new actions arrive. */
@QueryHandler(ListAuditQuery)
export class ListAuditHandler implements IQueryHandler<ListAuditQuery> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ filter, tenant }: ListAuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (filter.actor) add('actor = ?', filter.actor);
    if (filter.action) add('action = ?', filter.action);
    if (filter.target) add('target = ?', filter.target);
    if (filter.outcome) add("coalesce(doc->>'outcome', 'applied') = ?", filter.outcome);
    if (filter.from) add('at >= ?::timestamptz', filter.from);
    if (filter.to) add('at < ?::timestamptz', filter.to);
    if (tenant) add('tenant = ?', tenant);
    if (filter.cursor) {
      const c = decodeCursor(filter.cursor);
      args.push(c.atMs / 1000, c.id);
      where.push(`(at, key) < (to_timestamp($${args.length - 1}), $${args.length})`);
    }
    const limit = filter.limit ?? 50;
    args.push(limit + 1);
    const { rows } = await this.pool.query<{ doc: AuditLogRow }>(
      `SELECT doc FROM rm_audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY at DESC, key DESC LIMIT $${args.length}`,
      args,
    );
    const page = rows.slice(0, limit).map((r) => r.doc);
    return { items: page.map(item), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }
}

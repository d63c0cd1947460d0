import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { PollFailureRow } from '../../projections/poll-failures/poll-failure-row';
import type { RunRow } from '../../projections/job-runs/run-row';
import { PG_POOL } from '../database/database.module';
import { normaliseError, runFailureText } from '../shared/error-signature';

export type FailureSource = 'runs' | 'polls';

/** How many names each affected list shows (with its total count of distinct names). */
export const AFFECTED_TOP = 10;

export interface FailureGroupsFilter {
  readonly source: FailureSource;
  readonly from: Date;
  readonly to: Date;
  /** The caller's tenant (null: unscoped): always applied. */
  readonly scope: string | null;
  readonly tenant?: string;
  readonly job?: string;
  readonly target?: string;
  readonly limit: number;
}

/** A bounded list of who is affected: the most affected first, and how many there are in all. */
export interface Affected {
  readonly total: number;
  readonly top: readonly { readonly name: string | null; readonly count: number }[];
}

export interface FailureGroup {
  readonly signature: string;
  /** The normalised error every failure of the group shares. */
  readonly pattern: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly jobs?: Affected;
  readonly targets?: Affected;
  readonly tenants: Affected;
  /** The latest failure of the group. */
  readonly example: Record<string, unknown>;
}

export class FailureGroupsQuery extends Query<FailureGroup[]> {
  constructor(readonly filter: FailureGroupsFilter) {
    super();
  }
}

/** The columns of each source's read model: runs are windowed by createdAt and seen at their failure; polls by the probe's start. */
const SOURCES = {
  runs: {
    table: 'rm_job_runs',
    sig: 'error_signature',
    who: 'job',
    window: 'enqueued_at',
    seen: 'finished_at',
    only: `state = 'failed' AND error_signature IS NOT NULL`,
  },
  polls: { table: 'rm_poll_failures', sig: 'signature', who: 'target', window: 'at', seen: 'at', only: 'true' },
} as const;

type Line = { kind: 'g' | 'w' | 't' | 'e'; sig: string; name: string | null; n: number | null; first: Date | null; last: Date | null; key: string | null };

/**
 * Failures grouped by signature over a window, most frequent first: count, first and last seen,
 * the jobs (or targets) and tenants affected (AFFECTED_TOP each, with their totals) and the
 * latest failure as an example. One statement (one snapshot) for the groups and their lists, one
 * for the examples' rows.
 */
@QueryHandler(FailureGroupsQuery)
export class FailureGroupsHandler implements IQueryHandler<FailureGroupsQuery> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ filter: f }: FailureGroupsQuery): Promise<FailureGroup[]> {
    const s = SOURCES[f.source];
    const args: unknown[] = [f.from.toISOString(), f.to.toISOString()];
    const where = [s.only, `${s.window} >= $1::timestamptz`, `${s.window} < $2::timestamptz`];
    const add = (sql: string, v: unknown) => where.push(sql.replace('?', `$${args.push(v)}`));
    if (f.scope !== null) add('tenant = ?', f.scope);
    if (f.tenant !== undefined) add('tenant = ?', f.tenant);
    if (f.job !== undefined) add('job = ?', f.job);
    if (f.target !== undefined) add('target = ?', f.target);
    const limit = `$${args.push(f.limit)}`;
    const top = `$${args.push(AFFECTED_TOP)}`;
    const { rows } = await this.pool.query<Line>(
      `WITH f AS (SELECT key, ${s.sig} AS sig, ${s.who} AS who, tenant, ${s.seen} AS seen FROM ${s.table} WHERE ${where.join(' AND ')}),
            g AS (SELECT sig, count(*)::int AS n, min(seen) AS first, max(seen) AS last FROM f GROUP BY sig ORDER BY n DESC, last DESC NULLS LAST, sig LIMIT ${limit}),
            w AS (SELECT sig, who AS name, count(*)::int AS n, row_number() OVER (PARTITION BY sig ORDER BY count(*) DESC, who) AS rank
                    FROM f WHERE sig IN (SELECT sig FROM g) GROUP BY sig, who),
            t AS (SELECT sig, tenant AS name, count(*)::int AS n, row_number() OVER (PARTITION BY sig ORDER BY count(*) DESC, tenant NULLS FIRST) AS rank
                    FROM f WHERE sig IN (SELECT sig FROM g) GROUP BY sig, tenant),
            e AS (SELECT DISTINCT ON (sig) sig, key FROM f WHERE sig IN (SELECT sig FROM g) ORDER BY sig, seen DESC NULLS LAST, key DESC)
       SELECT 'g' AS kind, sig, NULL AS name, n, first, last, NULL AS key FROM g
       UNION ALL SELECT 'w', sig, name, n, NULL, NULL, (SELECT count(*) FROM w x WHERE x.sig = w.sig)::text FROM w WHERE rank <= ${top}
       UNION ALL SELECT 't', sig, name, n, NULL, NULL, (SELECT count(*) FROM t x WHERE x.sig = t.sig)::text FROM t WHERE rank <= ${top}
       UNION ALL SELECT 'e', sig, NULL, NULL, NULL, NULL, key FROM e`,
      args,
    );
    const examples = await this.examples(
      f.source,
      rows.filter((r) => r.kind === 'e').map((r) => r.key!),
    );
    const affected = (kind: 'w' | 't', sig: string): Affected => {
      const lines = rows.filter((r) => r.kind === kind && r.sig === sig);
      return { total: lines.length ? Number(lines[0].key) : 0, top: lines.map((l) => ({ name: l.name, count: l.n! })).sort((a, b) => b.count - a.count) };
    };
    return rows
      .filter((r) => r.kind === 'g')
      .map((g) => {
        const example = examples.get(rows.find((r) => r.kind === 'e' && r.sig === g.sig)!.key!)!;
        return {
          signature: g.sig,
          pattern: normaliseError(String(example.error)),
          count: g.n!,
          firstSeen: g.first!.toISOString(),
          lastSeen: g.last!.toISOString(),
          [f.source === 'runs' ? 'jobs' : 'targets']: affected('w', g.sig),
          tenants: affected('t', g.sig),
          example,
        };
      })
      .sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || a.signature.localeCompare(b.signature));
  }

  /** The example of each group as the API shows it: the error text the signature was made from, and where it happened. */
  private async examples(source: FailureSource, keys: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (source === 'runs') {
      const { rows } = await this.pool.query<{ doc: RunRow }>('SELECT doc FROM rm_job_runs WHERE key = ANY($1)', [keys]);
      return new Map(
        rows.map(({ doc: r }) => [
          r.runId,
          { error: runFailureText(r.error, r.logTail), runId: r.runId, job: r.job, tenant: r.tenant, exitCode: r.exitCode, at: r.finishedAt },
        ]),
      );
    }
    const { rows } = await this.pool.query<{ key: string; doc: PollFailureRow }>('SELECT key, doc FROM rm_poll_failures WHERE key = ANY($1)', [keys]);
    return new Map(
      rows.map(({ key, doc: p }) => [
        key,
        { error: p.message, target: p.target, tenant: p.tenant, failureKind: p.failureKind, category: p.category, statusCode: p.statusCode, at: p.at },
      ]),
    );
  }
}

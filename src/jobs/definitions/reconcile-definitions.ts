import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { jobDefinitionsProjection } from '../../../projections/job-definitions/job-definitions.projection';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import type { PostgresEventStore } from '../../event-store/postgres/postgres-event-store';
import { applyEvents } from '../../projection-runner/apply-events';
import { JobDefinitionEvent, jobDefStream } from '../events/job-definition.events';
import { inTransaction } from '../../database/transaction';
import type { JobDefinition, JobDefinitionSnapshot } from './job-definition';

const snapshot = ({ source: _s, ...d }: JobDefinition): JobDefinitionSnapshot => d;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const tenantTag = (tenant: string | null) => (tenant ? { tenant } : {});

/** Pure: the events that bring the stored definitions in line with the declared ones. */
export function decideReconcile(declared: readonly JobDefinition[], stored: readonly JobDefinitionRow[]): Map<string, JobDefinitionEvent> {
  const out = new Map<string, JobDefinitionEvent>();
  const storedBy = new Map(stored.map((r) => [r.name, r]));
  for (const d of declared) {
    const row = storedBy.get(d.name);
    const snap = snapshot(d);
    if (!row || row.removedAt) out.set(d.name, { type: 'JobDefined', data: { name: d.name, definition: snap, source: d.source, ...tenantTag(snap.tenant) } });
    else if (!same(row.definition, snap) || row.source !== d.source) {
      const changed = (Object.keys(snap) as (keyof JobDefinitionSnapshot)[]).filter((k) => !same(snap[k], row.definition[k]));
      out.set(d.name, { type: 'JobChanged', data: { name: d.name, definition: snap, source: d.source, changed, ...tenantTag(snap.tenant) } });
    }
  }
  const names = new Set(declared.map((d) => d.name));
  for (const r of stored) if (!r.removedAt && !names.has(r.name)) out.set(r.name, { type: 'JobRemoved', data: { name: r.name, ...tenantTag(r.definition.tenant) } });
  return out;
}

/**
 * Appends JobDefined/JobChanged/JobRemoved at start; a concurrent process doing the same wins
 * quietly. When anything changes, `audit` records one `config.reconcile` action first and its
 * metadata (causationId) goes on every change.
 */
export async function reconcileDefinitions(
  pool: Pool,
  store: PostgresEventStore,
  declared: readonly JobDefinition[],
  log: Logger,
  audit?: (changes: { job: string; change: string }[]) => Promise<Record<string, unknown>>,
): Promise<number> {
  const { rows } = await pool.query<{ key: string; doc: JobDefinitionRow; revision: string }>('SELECT key, doc, revision FROM rm_job_definitions');
  const revisions = new Map(rows.map((r) => [r.key, BigInt(r.revision)]));
  const changes = [...decideReconcile(declared, rows.map((r) => r.doc))];
  const metadata = changes.length && audit ? await audit(changes.map(([job, e]) => ({ job, change: e.type }))) : { actor: 'system', correlationId: 'startup-reconcile' };
  let appended = 0;
  for (const [name, event] of changes) {
    try {
      await inTransaction(pool, async (c) => {
        const res = await store.appendWith(c, jobDefStream(name), [{ ...event, metadata }], revisions.get(name) ?? 'no_stream');
        await applyEvents(c, jobDefinitionsProjection, res.events);
      });
      appended++;
      log.info({ event: `background_job.definition.${event.type === 'JobDefined' ? 'defined' : event.type === 'JobChanged' ? 'changed' : 'removed'}`, job: name, ...(event.type === 'JobChanged' ? { changed: event.data.changed } : {}) }, `job ${name}: ${event.type}`);
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err;
    }
  }
  return appended;
}

import type { RecordedEvent } from '../../src/event-store/envelope';
import { JOB_DEFINITION_EVENT_TYPES, JobDefinitionEvent } from '../../src/jobs/events/job-definition.events';
import type { Projection } from '../projection';
import type { JobDefinitionRow } from './job-definition-row';

export function evolveJobDefinition(row: JobDefinitionRow | null, event: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): JobDefinitionRow | null {
  const e = event as unknown as JobDefinitionEvent;
  const at = event.metadata.occurredAt;
  switch (e.type) {
    case 'JobDefined':
    case 'JobChanged':
      return {
        name: e.data.name,
        definition: e.data.definition,
        source: e.data.source,
        definedAt: row && !row.removedAt ? row.definedAt : at,
        changedAt: at,
        removedAt: null,
        missedTicks: row?.missedTicks ?? 0,
        lastMissedTick: row?.lastMissedTick ?? null,
        skippedTicks: row?.skippedTicks ?? 0,
        lastSkippedTick: row?.lastSkippedTick ?? null,
      };
    case 'JobRemoved':
      return row ? { ...row, removedAt: at } : null;
    case 'TickMissed':
      return row
        ? {
            ...row,
            missedTicks: row.missedTicks + 1,
            lastMissedTick: row.lastMissedTick && row.lastMissedTick > e.data.tick ? row.lastMissedTick : e.data.tick,
          }
        : null;
    case 'TickSkipped':
      return row
        ? {
            ...row,
            skippedTicks: (row.skippedTicks ?? 0) + 1,
            lastSkippedTick: row.lastSkippedTick && row.lastSkippedTick > e.data.tick ? row.lastSkippedTick : e.data.tick,
          }
        : null;
    default:
      return row;
  }
}

/**
 * Job definitions as last reconciled (`rm_job_definitions`), removed ones kept with `removedAt`.
 * Inline: start-up reconciliation compares against it right after appending, and each row is
 * changed only by its own `jobdef-<name>` stream.
 */
export const jobDefinitionsProjection: Projection<JobDefinitionRow> = {
  name: 'job_definitions',
  version: 1,
  inline: true,
  canHandle: JOB_DEFINITION_EVENT_TYPES,
  keysOf: (e) => [e.streamId.slice('jobdef-'.length)],
  evolve: (row, e) => evolveJobDefinition(row, e),
};

import type { RecordedEvent } from '../../event-store/envelope';
import { tenantOf } from '../../timeline/timeline.reader';

/** What GET /api/stream says about one event: enough to know which panels to refetch, no data. */
export interface ChangeMessage {
  readonly position: string;
  readonly type: string;
  readonly stream: string;
  readonly tenant: string | null;
  readonly at: string;
  readonly actor: string | null;
  /** The timeline's one-line summary (summaries never quote digests or secrets). */
  readonly summary: string;
  /** The job an event is about, when its data names one (run events), for finer refetches. */
  readonly job?: string;
}

/** The timeline's tenant rule: the event's own tenant or its acting token's. */
export function visibleTo(scope: string | null, e: RecordedEvent): boolean {
  if (scope === null) return true;
  const own = (e.data as { tenant?: unknown } | null)?.tenant;
  return own === scope || e.metadata.tenant === scope;
}

export function changeMessage(e: RecordedEvent, summary: string): ChangeMessage {
  const job = (e.data as { job?: unknown } | null)?.job;
  return {
    position: e.position.toString(),
    type: e.type,
    stream: e.streamId,
    tenant: tenantOf(e),
    at: new Date(e.metadata.occurredAt ?? e.recordedAt).toISOString(),
    actor: e.metadata.actor ?? null,
    summary,
    ...(typeof job === 'string' ? { job } : {}),
  };
}

/** One SSE frame. The id is the log checkpoint: a reconnect sends it back as Last-Event-ID. */
export function sseFrame(id: string | null, event: string | null, data: unknown): string {
  return `${id ? `id: ${id}\n` : ''}${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

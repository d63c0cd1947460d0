import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../event-store/envelope';

export type Summarizer = (event: RecordedEvent) => string;

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Turns an event into the one line a person reads in a timeline. Capabilities register theirs. */
@Injectable()
export class EventSummaries {
  private readonly byType = new Map<string, Summarizer>();

  constructor() {
    this.register('OperatorActionRecorded', (e) => {
      const d = e.data as Record<string, unknown>;
      const replay = d.outcome === 'duplicate' ? ' (idempotent replay, no effect)' : '';
      return `${str(d.actor)} (${str(d.role)}) ${str(d.action)}${d.target ? ` on ${str(d.target)}` : ''}: "${str(d.reason)}"${replay}`;
    });
  }

  register(type: string, summarize: Summarizer): void {
    this.byType.set(type, summarize);
  }

  summarize(e: RecordedEvent): string {
    const s = this.byType.get(e.type);
    if (s) {
      try {
        return s(e);
      } catch {
        /* fall back to the generic line: a summary must never break a timeline */
      }
    }
    return genericSummary(e);
  }
}

/** "PollFailed on target-instance::eu-1 (failureKind=http_5xx, message=500 Internal)" */
export function genericSummary(e: RecordedEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const scalars = Object.entries(d)
    .filter(([k, v]) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && !/hash|token|secret/i.test(k))
    .slice(0, 4)
    .map(([k, v]) => `${k}=${typeof v === 'string' && v.length > 80 ? v.slice(0, 77) + '...' : v}`);
  return `${e.type} on ${e.streamId}${scalars.length ? ` (${scalars.join(', ')})` : ''}`;
}

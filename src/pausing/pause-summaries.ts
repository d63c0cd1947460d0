import type { RecordedEvent } from '../event-store/envelope';
import { describeSubject } from './pause.decider';
import { ALL_PAUSE_EVENT_TYPES, isPausedEvent, PauseEvent } from './pause.events';

/** "job \"nightly\" paused by alice until 2026-03-02T11:00:00.000Z: \"deploy\"", "the targets of tenant acme resumed automatically (resumeAt reached)". */
export function pauseLine(e: RecordedEvent): string {
  const ev = e as unknown as PauseEvent;
  const what = describeSubject(ev.data);
  if (isPausedEvent(ev)) return `${what} paused by ${ev.data.pausedBy}${ev.data.resumeAt ? ` until ${ev.data.resumeAt}` : ''}: "${ev.data.reason}"`;
  const d = ev.data as { resumedBy: string; reason: string; auto: boolean };
  return d.auto ? `${what} resumed automatically (resumeAt reached)` : `${what} resumed by ${d.resumedBy}: "${d.reason}"`;
}

/** Timeline lines of the pause events, by type. */
export const PAUSE_SUMMARIES: Readonly<Record<string, (e: RecordedEvent) => string>> = Object.fromEntries(ALL_PAUSE_EVENT_TYPES.map((t) => [t, pauseLine]));

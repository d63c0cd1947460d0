import type { RunEvent } from './events/run.events';

/** A decider's answer: the events to append, or why nothing is appended (mapped to 404/409). */
export type Decision<E = RunEvent> =
  | { readonly ok: true; readonly events: E[] }
  | { readonly ok: false; readonly code: 'not_found' | 'conflict' | 'stale'; readonly reason: string };

export const accept = <E = RunEvent>(...events: NoInfer<E>[]): Decision<E> => ({ ok: true, events });
export const reject = (code: 'not_found' | 'conflict' | 'stale', reason: string): Decision<never> => ({ ok: false, code, reason });

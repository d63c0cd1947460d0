/**
 * The one shape every aggregate's rules take: a pure `decide(command, state)` that answers with
 * the events to append or a `Rejection`, and a pure `evolve(state, event)` that folds them. The
 * write model is `events.reduce(evolve, initialState)`; handlers load, decide, append.
 */
export type RejectionCode = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

/** Why a command appends nothing. `field` names the input at fault for `invalid`. */
export interface Rejection {
  readonly rejected: true;
  readonly code: RejectionCode;
  readonly reason: string;
  readonly field?: string;
}

/** A decider's answer: the events to append, or why nothing is appended. */
export type Decision<E> = readonly E[] | Rejection;

export interface Decider<S, C, E> {
  readonly initialState: S;
  readonly evolve: (state: S, event: E) => S;
  readonly decide: (command: C, state: S) => Decision<E>;
}

export const reject = (code: RejectionCode, reason: string, field?: string): Rejection => ({ rejected: true, code, reason, ...(field ? { field } : {}) });

export const isRejection = (x: unknown): x is Rejection => typeof x === 'object' && x !== null && (x as Rejection).rejected === true;

/** Folds events from the decider's initial state. */
export const fold = <S, E>(d: Pick<Decider<S, never, E>, 'initialState' | 'evolve'>, events: readonly E[], from: S = d.initialState): S =>
  events.reduce(d.evolve, from);

/**
 * A rejection crossing a service boundary; the HTTP layer maps it to 400/403/404/409 in one place
 * (rejection-status.ts). The message names the field first, as the CLIs print it.
 */
export class RejectedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.field ? `${rejection.field}: ${rejection.reason}` : rejection.reason);
    this.name = 'RejectedError';
  }
}

/** Returns the events, or throws the rejection for the HTTP layer to map. */
export function eventsOrThrow<E>(decision: Decision<E>): readonly E[] {
  if (isRejection(decision)) throw new RejectedError(decision);
  return decision;
}

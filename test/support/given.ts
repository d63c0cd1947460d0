import { Decider, isRejection, Rejection, RejectionCode } from '../../src/shared/decider';

/**
 * given/when/then for every decider spec:
 *   const { given } = spec(targetDecider(ctx));
 *   given(registered).when(pollNow).then([pollRequested]);
 *   given().when(pollNow).thenRejects('not_found');
 * `then` compares the events exactly; `thenRejects` the rejection's code (and field when given).
 */
export function spec<S, C, E>(decider: Decider<S, C, E>) {
  return {
    given(...history: E[]) {
      const state = history.reduce(decider.evolve, decider.initialState);
      return {
        state,
        when(command: C) {
          const decision = decider.decide(command, state);
          return {
            decision,
            then(expected: readonly E[]): readonly E[] {
              if (isRejection(decision)) throw new Error(`expected events, got rejection ${decision.code}: ${decision.reason}`);
              expect(decision).toEqual(expected);
              return decision;
            },
            thenRejects(code: RejectionCode, field?: string): Rejection {
              if (!isRejection(decision)) throw new Error(`expected a ${code} rejection, got events ${JSON.stringify(decision)}`);
              expect(decision.code).toBe(code);
              if (field !== undefined) expect(decision.field).toBe(field);
              return decision;
            },
            /** Folds the decided events onto the given state: for chaining a second command. */
            state(): S {
              if (isRejection(decision)) throw new Error(`rejected: ${decision.reason}`);
              return decision.reduce(decider.evolve, state);
            },
          };
        },
      };
    },
  };
}

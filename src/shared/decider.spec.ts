import { spec } from '../../test/support/given';
import { Decider, eventsOrThrow, fold, reject, RejectedError } from './decider';

type Ev = { type: 'Added'; n: number };
const counter: Decider<number, { add: number }, Ev> = {
  initialState: 0,
  evolve: (s, e) => s + e.n,
  decide: (c, s) =>
    c.add <= 0 ? reject('invalid', 'must be positive', 'add') : s + c.add > 10 ? reject('conflict', 'would pass 10') : [{ type: 'Added', n: c.add }],
};
const { given } = spec(counter);

describe('the decider shape and its given/when/then helper', () => {
  it('decides events from the folded history', () => {
    given({ type: 'Added', n: 4 })
      .when({ add: 3 })
      .then([{ type: 'Added', n: 3 }]);
    expect(
      fold(counter, [
        { type: 'Added', n: 4 },
        { type: 'Added', n: 3 },
      ]),
    ).toBe(7);
  });

  it('rejects with a code and the field at fault', () => {
    given().when({ add: 0 }).thenRejects('invalid', 'add');
    given({ type: 'Added', n: 9 }).when({ add: 2 }).thenRejects('conflict');
  });

  it('the helper fails a spec whose expectation is wrong', () => {
    expect(() =>
      given()
        .when({ add: 1 })
        .then([{ type: 'Added', n: 2 }]),
    ).toThrow();
    expect(() => given().when({ add: 1 }).thenRejects('invalid')).toThrow(/expected a invalid rejection/);
    expect(() => given().when({ add: -1 }).then([])).toThrow(/got rejection invalid/);
  });

  it('eventsOrThrow hands a rejection to the HTTP layer as a typed error', () => {
    expect(eventsOrThrow(counter.decide({ add: 1 }, 0))).toEqual([{ type: 'Added', n: 1 }]);
    expect(() => eventsOrThrow(counter.decide({ add: 0 }, 0))).toThrow(RejectedError);
  });
});

import { spec } from '../../test/support/given';
import { flagDecider, FlagCommand } from './flag.decider';
import type { FlagEvent } from './flag.events';

const now = new Date('2026-11-25T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const acting = { key: 'checkout.v2', reason: 'launch', actor: 'alice', now };
const define: FlagCommand = { kind: 'define', ...acting, description: 'new checkout', type: 'boolean', defaultValue: false };
const defined: FlagEvent = {
  type: 'FlagDefined',
  data: {
    key: 'checkout.v2',
    description: 'new checkout',
    type: 'boolean',
    defaultValue: false,
    reason: 'launch',
    definedBy: 'alice',
    definedAt: now.toISOString(),
  },
};
const setTrue = (expiresAt: string | null = null): FlagEvent => ({
  type: 'FlagValueSet',
  data: { key: 'checkout.v2', value: true, expiresAt, reason: 'launch', setBy: 'alice', setAt: now.toISOString() },
});

const { given } = spec(flagDecider);

describe('flag decider', () => {
  it('given nothing, when defined, then records type, default, who and why', () => {
    given().when(define).then([defined]);
  });

  it('refuses a second definition (conflict) and a default of the wrong type naming defaultValue', () => {
    given(defined).when(define).thenRejects('conflict');
    expect(
      given()
        .when({ ...define, defaultValue: 'yes' } as FlagCommand)
        .thenRejects('invalid', 'defaultValue').reason,
    ).toBe('must be true or false (the flag is boolean)');
    given()
      .when({ ...define, type: 'json', defaultValue: 3 } as FlagCommand)
      .thenRejects('invalid', 'defaultValue');
    given()
      .when({ ...define, type: 'number', defaultValue: 2.5 } as FlagCommand)
      .then([{ ...defined, data: { ...defined.data, type: 'number', defaultValue: 2.5 } } as FlagEvent]);
  });

  it('sets a value of the flag type, permanent or until expiresAt (normalised)', () => {
    given(defined)
      .when({ kind: 'set', ...acting, value: true, expiresAt: null })
      .then([setTrue()]);
    given(defined)
      .when({ kind: 'set', ...acting, value: true, expiresAt: '2026-11-25T13:00:00Z' })
      .then([setTrue('2026-11-25T13:00:00.000Z')]);
    given(defined)
      .when({ kind: 'set', ...acting, value: 'on', expiresAt: null })
      .thenRejects('invalid', 'value');
  });

  it('refuses an expiry in the past or more than 90 days ahead, naming expiresAt', () => {
    expect(
      given(defined)
        .when({ kind: 'set', ...acting, value: true, expiresAt: '2026-11-25T11:00:00Z' })
        .thenRejects('invalid', 'expiresAt').reason,
    ).toBe('must be in the future');
    given(defined)
      .when({ kind: 'set', ...acting, value: true, expiresAt: later(91 * 24 * 3600 * 1000).toISOString() })
      .thenRejects('invalid', 'expiresAt');
  });

  it('clears a set value; clearing a flag that serves its default (never set, or expired) conflicts', () => {
    given(defined, setTrue())
      .when({ kind: 'clear', ...acting })
      .then([{ type: 'FlagValueCleared', data: { key: 'checkout.v2', reason: 'launch', clearedBy: 'alice', clearedAt: now.toISOString() } }]);
    given(defined)
      .when({ kind: 'clear', ...acting })
      .thenRejects('conflict');
    given(defined, setTrue('2026-11-25T12:00:01.000Z'))
      .when({ kind: 'clear', ...acting, now: later(2000) })
      .thenRejects('conflict');
  });

  it('records an expiry only once the temporary value has run out', () => {
    const temp = setTrue('2026-11-25T12:00:01.000Z');
    given(defined, temp).when({ kind: 'expire', key: 'checkout.v2', now }).thenRejects('conflict');
    given(defined, temp)
      .when({ kind: 'expire', key: 'checkout.v2', now: later(1000) })
      .then([{ type: 'FlagValueExpired', data: { key: 'checkout.v2', expiresAt: '2026-11-25T12:00:01.000Z', recordedAt: later(1000).toISOString() } }]);
    given(defined, setTrue())
      .when({ kind: 'expire', key: 'checkout.v2', now: later(1000) })
      .thenRejects('conflict');
  });

  it('changes description or default, keeping what is not given; the type stays', () => {
    given(defined)
      .when({ kind: 'redefine', ...acting, defaultValue: true })
      .then([
        {
          type: 'FlagRedefined',
          data: { key: 'checkout.v2', description: 'new checkout', defaultValue: true, reason: 'launch', redefinedBy: 'alice', redefinedAt: now.toISOString() },
        },
      ]);
    given(defined)
      .when({ kind: 'redefine', ...acting, defaultValue: 1 })
      .thenRejects('invalid', 'defaultValue');
    given(defined)
      .when({ kind: 'redefine', ...acting })
      .thenRejects('invalid', 'description');
  });

  it('a command on an unknown flag is not found', () => {
    expect(
      given()
        .when({ kind: 'set', ...acting, value: true, expiresAt: null })
        .thenRejects('not_found').reason,
    ).toMatch(/^no flag "checkout.v2"/);
  });
});

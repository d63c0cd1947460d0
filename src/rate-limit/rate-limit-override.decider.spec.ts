import { spec } from '../../test/support/given';
import { GrantOverride, overrideDecider, RevokeOverride } from './rate-limit-override.decider';
import type { RateLimitOverrideEvent } from './rate-limit-override.events';

const now = new Date('2026-11-25T12:00:00Z');
const grant: GrantOverride = {
  kind: 'grant',
  overrideId: 'o1',
  subject: { tenant: 'acme' },
  limit: 5000,
  expiresAt: '2026-11-25T13:00:00Z',
  reason: 'backfill',
  actor: 'alice',
  now,
};
const revoke: RevokeOverride = { kind: 'revoke', overrideId: 'o1', reason: 'done early', actor: 'bob', now };
const granted: RateLimitOverrideEvent = {
  type: 'RateLimitOverrideGranted',
  data: {
    overrideId: 'o1',
    subject: { tenant: 'acme' },
    limit: 5000,
    expiresAt: '2026-11-25T13:00:00.000Z',
    reason: 'backfill',
    grantedBy: 'alice',
    grantedAt: now.toISOString(),
  },
};
const revoked: RateLimitOverrideEvent = {
  type: 'RateLimitOverrideRevoked',
  data: { overrideId: 'o1', reason: 'done early', revokedBy: 'bob', revokedAt: now.toISOString() },
};

const { given } = spec(overrideDecider);

describe('rate-limit override decider', () => {
  it('given nothing, when granted, then records subject, limit and normalised expiry', () => {
    given().when(grant).then([granted]);
  });

  it('refuses an expiry in the past or more than 30 days ahead, naming expiresAt', () => {
    expect(
      given()
        .when({ ...grant, expiresAt: '2026-11-25T11:59:59Z' })
        .thenRejects('invalid', 'expiresAt').reason,
    ).toMatch(/^must be in the future/);
    expect(
      given()
        .when({ ...grant, expiresAt: '2027-01-01T00:00:00Z' })
        .thenRejects('invalid', 'expiresAt').reason,
    ).toMatch(/^must be at most 30 days/);
  });

  it('refuses a subject that is not exactly one of tenant or ip, naming subject', () => {
    given()
      .when({ ...grant, subject: {} })
      .thenRejects('invalid', 'subject');
    given()
      .when({ ...grant, subject: { tenant: 'acme', ip: '10.0.0.9' } })
      .thenRejects('invalid', 'subject');
    given()
      .when({ ...grant, subject: { ip: '10.0.0.9', tenant: '' } })
      .then([{ ...granted, data: { ...granted.data, subject: { ip: '10.0.0.9' } } }]);
  });

  it('given a grant, when revoked, then records who and why; a second revoke conflicts', () => {
    given(granted).when(revoke).then([revoked]);
    expect(given(granted, revoked).when(revoke).thenRejects('conflict').reason).toMatch(/revoked already/);
  });

  it('given an expired grant, when revoked, then conflicts (it ended on its own)', () => {
    expect(
      given(granted)
        .when({ ...revoke, reason: 'x', now: new Date('2026-11-25T14:00:00Z') })
        .thenRejects('conflict').reason,
    ).toMatch(/expired already/);
  });

  it('given no grant, a revoke is not found', () => {
    expect(given().when(revoke).thenRejects('not_found').reason).toBe('no rate-limit override o1');
  });
});

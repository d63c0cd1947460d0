import { decideOverride, evolveOverride, initialOverrideState, OverrideState } from './rate-limit-override.decider';
import { RateLimitOverrideEvent } from './rate-limit-override.events';

const now = new Date('2026-11-25T12:00:00Z');
const grant = { kind: 'grant' as const, overrideId: 'o1', subject: { tenant: 'acme' }, limit: 5000, expiresAt: '2026-11-25T13:00:00Z', reason: 'backfill', actor: 'alice', now };
const fold = (events: RateLimitOverrideEvent[]): OverrideState => events.reduce(evolveOverride, initialOverrideState);

describe('rate-limit override decider', () => {
  it('given nothing, when granted, then records subject, limit and normalised expiry', () => {
    expect(decideOverride(grant, initialOverrideState)).toEqual([
      { type: 'RateLimitOverrideGranted', data: { overrideId: 'o1', subject: { tenant: 'acme' }, limit: 5000, expiresAt: '2026-11-25T13:00:00.000Z', reason: 'backfill', grantedBy: 'alice', grantedAt: now.toISOString() } },
    ]);
  });

  it('refuses an expiry in the past or more than 30 days ahead, naming expiresAt', () => {
    expect(() => decideOverride({ ...grant, expiresAt: '2026-11-25T11:59:59Z' }, initialOverrideState)).toThrow(/expiresAt: must be in the future/);
    expect(() => decideOverride({ ...grant, expiresAt: '2027-01-01T00:00:00Z' }, initialOverrideState)).toThrow(/expiresAt: must be at most 30 days/);
  });

  it('given a grant, when revoked, then records who and why; a second revoke conflicts', () => {
    const granted = fold(decideOverride(grant, initialOverrideState));
    const revoke = { kind: 'revoke' as const, overrideId: 'o1', reason: 'done early', actor: 'bob', now };
    const events = decideOverride(revoke, granted);
    expect(events).toEqual([{ type: 'RateLimitOverrideRevoked', data: { overrideId: 'o1', reason: 'done early', revokedBy: 'bob', revokedAt: now.toISOString() } }]);
    expect(() => decideOverride(revoke, evolveOverride(granted, events[0]))).toThrow(/revoked already/);
  });

  it('given an expired grant, when revoked, then conflicts (it ended on its own)', () => {
    const granted = fold(decideOverride(grant, initialOverrideState));
    expect(() => decideOverride({ kind: 'revoke', overrideId: 'o1', reason: 'x', actor: 'bob', now: new Date('2026-11-25T14:00:00Z') }, granted)).toThrow(/expired already/);
  });
});

import type { SessionRow } from '../../../projections/sessions/session-row';
import type { TokenRow } from '../../../projections/tokens/token-row';
import { expiryOf, idleExpiresAt } from './session-expiry';

const row: SessionRow = {
  sessionId: 's',
  tokenId: 't',
  name: 'ann',
  role: 'viewer',
  tenant: null,
  hash: 'h',
  startedAt: '2026-03-01T10:00:00.000Z',
  idleTimeoutMs: 60_000,
  absoluteExpiresAt: '2026-03-01T12:00:00.000Z',
  clientIp: '',
  endedAt: null,
  endReason: null,
  endDetail: null,
};
const token: TokenRow = {
  tokenId: 't',
  name: 'ann',
  role: 'viewer',
  tenant: null,
  hash: 'x',
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
  revokeReason: null,
};
const at = (iso: string) => new Date(iso);

describe('session expiry', () => {
  it('an active session within both limits does not end', () => {
    expect(expiryOf({ row, token, lastSeenAt: null }, at('2026-03-01T10:00:59.000Z'))).toBeNull();
  });
  it('ends idle a minute after the last request, counting requests seen by this process', () => {
    expect(expiryOf({ row, token, lastSeenAt: null }, at('2026-03-01T10:01:00.000Z'))).toEqual({ reason: 'idle', detail: null });
    expect(expiryOf({ row, token, lastSeenAt: at('2026-03-01T10:00:30.000Z') }, at('2026-03-01T10:01:00.000Z'))).toBeNull();
    expect(expiryOf({ row, token, lastSeenAt: null }, at('2026-03-01T10:01:00.000Z'), at('2026-03-01T10:00:30.000Z'))).toBeNull();
  });
  it('ends at the absolute limit whatever the activity', () => {
    expect(expiryOf({ row, token, lastSeenAt: at('2026-03-01T11:59:59.000Z') }, at('2026-03-01T12:00:00.000Z'))).toEqual({ reason: 'absolute', detail: null });
  });
  it('a revoked or expired token ends its sessions', () => {
    expect(expiryOf({ row, token: { ...token, revokedAt: '2026-03-01T10:00:10.000Z' }, lastSeenAt: null }, at('2026-03-01T10:00:20.000Z'))).toEqual({
      reason: 'revoked',
      detail: 'token revoked',
    });
    expect(expiryOf({ row, token: { ...token, expiresAt: '2026-03-01T10:00:10.000Z' }, lastSeenAt: null }, at('2026-03-01T10:00:20.000Z'))).toEqual({
      reason: 'revoked',
      detail: 'token expired',
    });
  });
  it('the idle deadline never passes the absolute one', () => {
    expect(idleExpiresAt({ row, lastSeenAt: at('2026-03-01T11:59:30.000Z') })).toBe('2026-03-01T12:00:00.000Z');
    expect(idleExpiresAt({ row, lastSeenAt: null })).toBe('2026-03-01T10:01:00.000Z');
  });
});

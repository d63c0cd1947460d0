import { tokenStatus } from './token-status';

const now = new Date('2026-03-01T10:00:00.000Z');

describe('token status', () => {
  it('is active without a revoke and before its expiry (or without one)', () => {
    expect(tokenStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(tokenStatus({ revokedAt: null, expiresAt: '2026-03-01T10:00:00.001Z' }, now)).toBe('active');
  });

  it('has expired at its expiry instant, not only after it', () => {
    expect(tokenStatus({ revokedAt: null, expiresAt: '2026-03-01T10:00:00.000Z' }, now)).toBe('expired');
    expect(tokenStatus({ revokedAt: null, expiresAt: '2026-03-01T10:00:00.000Z' }, now.getTime() - 1)).toBe('active');
  });

  it('says revoked for a revoked token, expired or not', () => {
    expect(tokenStatus({ revokedAt: '2026-02-01T00:00:00.000Z', expiresAt: '2026-02-15T00:00:00.000Z' }, now)).toBe('revoked');
  });
});

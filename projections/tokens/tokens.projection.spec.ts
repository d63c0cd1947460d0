import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { tokensProjection } from './tokens.projection';

let position = 0n;
function recorded(type: string, data: unknown, streamId: string, revision: bigint, occurredAt: string): RecordedEvent {
  position += 1n;
  return {
    eventId: `e${position}`,
    streamId,
    revision,
    position,
    type,
    schemaVersion: 1,
    data,
    metadata: { occurredAt },
    recordedAt: new Date(occurredAt),
    checkpoint: String(position),
  };
}

const issuedA = recorded(
  'TokenIssued',
  { tokenId: 'a', name: 'ci', role: 'admin', tenant: null, hash: 'h'.repeat(64), issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: null },
  'token-a',
  0n,
  '2026-01-01T00:00:00.000Z',
);
const issuedB = recorded(
  'TokenIssued',
  {
    tokenId: 'b',
    name: 'viewer',
    role: 'viewer',
    tenant: 'acme',
    hash: 'b'.repeat(64),
    issuedAt: '2026-01-02T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
  },
  'token-b',
  0n,
  '2026-01-02T00:00:00.000Z',
);
const revokedA = recorded('TokenRevoked', { tokenId: 'a', reason: 'rotated' }, 'token-a', 1n, '2026-01-03T00:00:00.000Z');

describe('tokens projection', () => {
  it('given two issued tokens, has a row per token id with hash, role, tenant and expiry', () => {
    const rows = foldInMemory(tokensProjection, [issuedA, issuedB]);
    expect([...rows.keys()].sort()).toEqual(['a', 'b']);
    expect(rows.get('b')).toEqual({
      tokenId: 'b',
      name: 'viewer',
      role: 'viewer',
      tenant: 'acme',
      hash: 'b'.repeat(64),
      issuedAt: '2026-01-02T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      revokedAt: null,
      revokeReason: null,
    });
  });

  it('when a token is revoked, keeps the row and records when and why', () => {
    const rows = foldInMemory(tokensProjection, [issuedA, issuedB, revokedA]);
    expect(rows.get('a')).toMatchObject({ revokedAt: '2026-01-03T00:00:00.000Z', revokeReason: 'rotated', hash: 'h'.repeat(64) });
    expect(rows.get('b')!.revokedAt).toBeNull();
  });

  it('ignores a revoke for a token it has no row for', () => {
    expect(foldInMemory(tokensProjection, [revokedA]).size).toBe(0);
  });

  it('ignores other event types', () => {
    const other = recorded('PollFailed', { tokenId: 'a' }, 'target-x', 0n, '2026-01-04T00:00:00.000Z');
    expect(foldInMemory(tokensProjection, [issuedA, other]).get('a')).toEqual(foldInMemory(tokensProjection, [issuedA]).get('a'));
  });
});

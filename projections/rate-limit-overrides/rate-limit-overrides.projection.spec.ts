import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { foldInMemory } from '../projection';
import { rateLimitOverridesProjection } from './rate-limit-overrides.projection';

describe('rate_limit_overrides projection', () => {
  it('given a grant then a revoke, when folded, then the row shows both', async () => {
    const s = new InMemoryEventStore();
    await s.append(
      'ratelimit-override-o1',
      [
        {
          type: 'RateLimitOverrideGranted',
          data: {
            overrideId: 'o1',
            subject: { ip: '10.0.0.9' },
            limit: 2000,
            expiresAt: '2026-11-25T13:00:00.000Z',
            reason: 'incident',
            grantedBy: 'alice',
            grantedAt: '2026-11-25T12:00:00.000Z',
          },
        },
        { type: 'RateLimitOverrideRevoked', data: { overrideId: 'o1', reason: 'over', revokedBy: 'bob', revokedAt: '2026-11-25T12:30:00.000Z' } },
      ],
      'no_stream',
    );
    const row = foldInMemory(rateLimitOverridesProjection, await s.readAll(null, 10)).get('o1');
    expect(row).toMatchObject({
      subject: { ip: '10.0.0.9' },
      limit: 2000,
      expiresAtEpochMs: Date.parse('2026-11-25T13:00:00.000Z'),
      revokedBy: 'bob',
      revokeReason: 'over',
    });
  });

  it('ignores a revoke for an unknown override', async () => {
    const s = new InMemoryEventStore();
    await s.append(
      'ratelimit-override-x',
      [{ type: 'RateLimitOverrideRevoked', data: { overrideId: 'x', reason: 'r', revokedBy: 'b', revokedAt: '2026-11-25T12:30:00.000Z' } }],
      'no_stream',
    );
    expect(foldInMemory(rateLimitOverridesProjection, await s.readAll(null, 10)).size).toBe(0);
  });
});

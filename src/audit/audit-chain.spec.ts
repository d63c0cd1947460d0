import { canonicalJson, chainHash, GENESIS_HASH } from './audit-chain';

describe('audit chain hashing', () => {
  const link = { eventId: 'e1', streamId: 'audit-2026-11-25', occurredAt: '2026-11-25T10:00:00.000Z', data: { action: 'job.run', reason: 'x', prevHash: GENESIS_HASH } };

  it('orders keys canonically at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('is stable for the same content and ignores the stored hash field', () => {
    const h = chainHash(GENESIS_HASH, link);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...link, data: { ...link.data, hash: h } })).toBe(h);
  });

  it('changes when any committed field or the previous hash changes', () => {
    const h = chainHash(GENESIS_HASH, link);
    expect(chainHash(GENESIS_HASH, { ...link, data: { ...link.data, reason: 'y' } })).not.toBe(h);
    expect(chainHash(GENESIS_HASH, { ...link, occurredAt: '2026-11-25T10:00:01.000Z' })).not.toBe(h);
    expect(chainHash('f'.repeat(64), link)).not.toBe(h);
  });
});

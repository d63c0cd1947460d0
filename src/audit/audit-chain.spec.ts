import { canonicalJson, chainMac, GENESIS_HASH, legacyChainHash } from './audit-chain';

const key = Buffer.from('k'.repeat(32));

describe('audit chain hashing', () => {
  it('orders keys canonically at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('serialises values with toJSON (dates) as JSON does', () => {
    expect(canonicalJson({ at: new Date('2026-11-25T10:00:00Z') })).toBe('{"at":"2026-11-25T10:00:00.000Z"}');
  });

  describe('version 2 (keyed, data and metadata)', () => {
    const link = {
      eventId: 'e1',
      streamId: 'audit-2026-11-25',
      type: 'OperatorActionRecorded',
      data: { action: 'job.run', reason: 'x', actor: 'alice', prevHash: GENESIS_HASH, chain: 2 },
      metadata: { occurredAt: '2026-11-25T10:00:00.000Z', actor: 'alice', correlationId: 'r1' },
    };

    it('is stable for the same content and ignores the stored MAC field', () => {
      const h = chainMac(key, GENESIS_HASH, link);
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(chainMac(key, GENESIS_HASH, { ...link, data: { ...link.data, hash: h } })).toBe(h);
    });

    it('changes when data, metadata, identity, the previous link or the key changes', () => {
      const h = chainMac(key, GENESIS_HASH, link);
      expect(chainMac(key, GENESIS_HASH, { ...link, data: { ...link.data, reason: 'y' } })).not.toBe(h);
      expect(chainMac(key, GENESIS_HASH, { ...link, metadata: { ...link.metadata, actor: 'mallory' } })).not.toBe(h);
      expect(chainMac(key, GENESIS_HASH, { ...link, type: 'Other' })).not.toBe(h);
      expect(chainMac(key, 'f'.repeat(64), link)).not.toBe(h);
      expect(chainMac(Buffer.from('j'.repeat(32)), GENESIS_HASH, link)).not.toBe(h);
    });
  });

  describe('version 1 (before ADR 0007)', () => {
    const link = {
      eventId: 'e1',
      streamId: 'audit-2026-11-25',
      occurredAt: '2026-11-25T10:00:00.000Z',
      data: { action: 'job.run', reason: 'x', prevHash: GENESIS_HASH },
    };

    it('is the plain SHA-256 older links were written with', () => {
      const h = legacyChainHash(GENESIS_HASH, link);
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(legacyChainHash(GENESIS_HASH, { ...link, data: { ...link.data, hash: h } })).toBe(h);
      expect(legacyChainHash(GENESIS_HASH, { ...link, data: { ...link.data, reason: 'y' } })).not.toBe(h);
    });
  });
});

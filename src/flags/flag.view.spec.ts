import { etagOf, flagView, matchesIfNoneMatch } from './flag.view';

describe('flag view and ETag', () => {
  const row = {
    key: 'beta',
    description: 'beta UI',
    type: 'boolean' as const,
    defaultValue: false,
    current: { value: true, expiresAt: '2026-11-25T12:00:00.000Z', setBy: 'bob', setAt: '2026-11-25T11:00:00.000Z', reason: 'trial' },
    definedBy: 'alice',
    definedAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T11:00:00.000Z',
  };

  it('serves the set value with who set it until it expires, then the default', () => {
    expect(flagView(row, new Date('2026-11-25T11:30:00Z'))).toMatchObject({ value: true, source: 'set', expiresAt: '2026-11-25T12:00:00.000Z', setBy: 'bob' });
    expect(flagView(row, new Date('2026-11-25T12:30:00Z'))).toMatchObject({ value: false, source: 'default', expiresAt: null, setBy: null });
  });

  it('the ETag follows the effective body: it changes at expiry with no event in between', () => {
    const before = etagOf([flagView(row, new Date('2026-11-25T11:30:00Z'))]);
    expect(etagOf([flagView(row, new Date('2026-11-25T11:31:00Z'))])).toBe(before);
    expect(etagOf([flagView(row, new Date('2026-11-25T12:30:00Z'))])).not.toBe(before);
  });

  it('If-None-Match matches a listed tag, a weak one, or *', () => {
    expect([
      matchesIfNoneMatch('"a", "b"', '"b"'),
      matchesIfNoneMatch('W/"b"', '"b"'),
      matchesIfNoneMatch('*', '"b"'),
      matchesIfNoneMatch('"a"', '"b"'),
      matchesIfNoneMatch(undefined, '"b"'),
    ]).toEqual([true, true, true, false, false]);
  });
});

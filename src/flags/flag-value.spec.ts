import { effectiveValue, valueProblem } from './flag-value';

describe('effectiveValue: expiry decided at read time', () => {
  const flag = { defaultValue: false, current: { value: true, expiresAt: '2026-11-25T12:00:00.000Z' } };
  it('serves the set value until expiresAt, then the default, without waiting for any event', () => {
    expect(effectiveValue(flag, new Date('2026-11-25T11:59:59.999Z'))).toEqual({ value: true, source: 'set', expiresAt: '2026-11-25T12:00:00.000Z' });
    expect(effectiveValue(flag, new Date('2026-11-25T12:00:00.000Z'))).toEqual({ value: false, source: 'default', expiresAt: null });
  });
  it('a permanent value never expires; no value serves the default', () => {
    expect(effectiveValue({ ...flag, current: { value: true, expiresAt: null } }, new Date('2100-01-01T00:00:00Z')).value).toBe(true);
    expect(effectiveValue({ ...flag, current: null }, new Date()).source).toBe('default');
  });
});

describe('valueProblem', () => {
  it('checks each type', () => {
    expect([
      valueProblem('boolean', true),
      valueProblem('string', 'x'),
      valueProblem('number', 1.5),
      valueProblem('json', { a: [1] }),
      valueProblem('json', []),
    ]).toEqual([null, null, null, null, null]);
    expect(valueProblem('number', '1')).toMatch(/finite number/);
    expect(valueProblem('json', 'x')).toMatch(/object or array/);
    expect(valueProblem('boolean', undefined)).toBe('is required');
  });
});

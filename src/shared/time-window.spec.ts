import { parseInstant, parseWindow } from './time-window';

describe('time window of a query', () => {
  it('takes RFC 3339 instants with any offset', () => {
    expect(parseInstant('from', '2026-03-01T10:00:00Z').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(parseInstant('from', '2026-03-01T11:00:00.5+01:00').toISOString()).toBe('2026-03-01T10:00:00.500Z');
  });

  it.each([
    'yesterday',
    '2026-03-01',
    '2026-02-30T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+01:00',
    '+275760-09-13T00:00:00Z',
    '2026-03-01T25:00:00Z',
    '',
  ])('refuses %j naming the field', (raw) => {
    expect(() => parseInstant('to', raw)).toThrow(/^to: must be an RFC 3339 timestamp/);
  });

  it('wants to after from', () => {
    expect(() => parseWindow({ from: '2026-03-01T10:00:00Z', to: '2026-03-01T10:00:00Z' })).toThrow('to: must be after from');
    expect(parseWindow({ from: '2026-03-01T10:00:00Z' })).toEqual({ from: new Date('2026-03-01T10:00:00Z') });
    expect(parseWindow({})).toEqual({});
  });
});

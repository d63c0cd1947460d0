import { limitKey } from './auth-failure-limiter';

describe('limitKey (the address a failed-authentication limit applies to)', () => {
  it('keeps an IPv4 address, also when it arrives IPv4-mapped', () => {
    expect(limitKey('198.51.100.7')).toBe('198.51.100.7');
    expect(limitKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('groups IPv6 addresses by /64, so rotating through one prefix gains nothing', () => {
    expect(limitKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:3::1')).not.toBe(limitKey('2001:db8:1:2::1'));
  });

  it('keeps anything unparsable as it is', () => {
    expect(limitKey('unknown')).toBe('unknown');
  });
});

import { parseAllowEntry, parseAllowList } from '../../src/shared/allow-list';
import { addressRange, EgressPolicy } from '../../src/egress/egress-policy';
import { loadConfig } from '../../src/config/config';

const policy = (allow = '', ownPorts: number[] = [3000, 54329], localAddresses: string[] = ['10.1.2.3', 'fd00::5']) =>
  new EgressPolicy({ allow: parseAllowList(allow), ownPorts: () => ownPorts, localAddresses: () => localAddresses });
const check = (p: EgressPolicy, address: string, port = 80, host = address) => p.check({ host, address, port });

describe('egress policy: address classification (ipaddr.js)', () => {
  it.each([
    // loopback, in every spelling a resolver or URL parser may hand over
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    // link-local, the cloud metadata address among them
    ['169.254.169.254', 'link_local'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    // private and shared
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['100.64.0.1', 'carrier_grade_nat'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    // unspecified, multicast, broadcast, reserved
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    // IPv6 forms that carry an IPv4 address
    ['::7f00:1', 'ipv4_compatible'],
    ['::a9fe:a9fe', 'ipv4_compatible'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['fec0::1', 'deprecated_site_local'],
    ['not-an-address', 'invalid_address'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(check(policy(), address)).toEqual({ allowed: false, reason: range });
  });

  it.each(['1.1.1.1', '8.8.8.8', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:1.1.1.1'])(
    '%s is public and allowed',
    (address) => {
      expect(addressRange(address)).toBe('unicast');
      expect(check(policy(), address, 443)).toEqual({ allowed: true, by: 'public' });
    },
  );
});

describe('egress policy: own ports', () => {
  it("refuses the service's own ports on this machine's addresses, even when EGRESS_ALLOW opens them", () => {
    const open = policy('127.0.0.0/8,::1,10.0.0.0/8,fd00::/8');
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0', '10.1.2.3', 'fd00::5']) {
      expect(check(open, address, 3000)).toEqual({ allowed: false, reason: 'own_port' });
      expect(check(open, address, 54329)).toEqual({ allowed: false, reason: 'own_port' });
    }
    // The same addresses on another port are open, and so are other machines on the own port.
    expect(check(open, '127.0.0.1', 8080)).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(open, '10.9.9.9', 3000)).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(policy(), '1.1.1.1', 3000)).toEqual({ allowed: true, by: 'public' });
  });

  it('an entry naming the port opens it', () => {
    expect(check(policy('127.0.0.1:3000'), '127.0.0.1', 3000)).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(policy('[::1]:3000'), '::1', 3000)).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(policy('ops.internal:3000'), '127.0.0.1', 3000, 'ops.internal')).toEqual({ allowed: true, by: 'allow_list' });
    // ...and only that port
    expect(check(policy('127.0.0.1:3000'), '127.0.0.1', 3001)).toEqual({ allowed: false, reason: 'loopback' });
  });

  it('reads the own ports at every check (a port bound after start counts)', () => {
    const ports = [3000];
    const p = new EgressPolicy({ allow: parseAllowList('127.0.0.1'), ownPorts: () => ports, localAddresses: () => [] });
    expect(check(p, '127.0.0.1', 41234)).toMatchObject({ allowed: true });
    ports.push(41234);
    expect(check(p, '127.0.0.1', 41234)).toEqual({ allowed: false, reason: 'own_port' });
  });
});

describe('egress policy: EGRESS_ALLOW', () => {
  it('CIDRs and addresses open what they cover, in both IPv4 and IPv4-mapped form', () => {
    const p = policy('10.0.0.0/8,127.0.0.1,::ffff:192.168.0.0/112,fd00::/8');
    expect(check(p, '10.20.30.40')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '::ffff:10.20.30.40')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '127.0.0.1')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '127.0.0.2')).toEqual({ allowed: false, reason: 'loopback' });
    expect(check(p, '192.168.7.7')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, 'fd00::1')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, 'fc00::1')).toEqual({ allowed: false, reason: 'unique_local' });
    expect(check(p, '169.254.169.254')).toEqual({ allowed: false, reason: 'link_local' });
  });

  it('a host name opens that name (whatever it resolves to), a wildcard its subdomains only', () => {
    const p = policy('vault.internal,*.svc.cluster.local');
    expect(check(p, '10.0.0.5', 8200, 'vault.internal')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '10.0.0.5', 8200, 'VAULT.internal.')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '10.0.0.5', 8200, 'evil-vault.internal')).toEqual({ allowed: false, reason: 'private' });
    expect(check(p, '10.0.0.6', 80, 'api.ns.svc.cluster.local')).toEqual({ allowed: true, by: 'allow_list' });
    expect(check(p, '10.0.0.6', 80, 'svc.cluster.local')).toEqual({ allowed: false, reason: 'private' });
    // A name is not an address: another name resolving to the same address stays refused.
    expect(check(p, '10.0.0.5', 8200, 'other.example')).toEqual({ allowed: false, reason: 'private' });
  });

  it('parses every documented form and names a bad entry', () => {
    expect(parseAllowList(' 10.0.0.0/8 , ,127.0.0.1:8080, [::1]:9000, vault.internal:8200, *.svc.cluster.local ').map((e) => [e.kind, e.port])).toEqual([
      ['cidr', null],
      ['cidr', 8080],
      ['cidr', 9000],
      ['host', 8200],
      ['host', null],
    ]);
    for (const bad of ['10.0.0.0/33', 'exa mple.com', '127.0.0.1:0', '127.0.0.1:70000', '[nope]:80', 'http://x', '*']) {
      expect(() => parseAllowEntry(bad)).toThrow(new RegExp(bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    }
    expect(() => loadConfig({ EGRESS_ALLOW: '10.0.0.0/8,10.0.0.0/99' })).toThrow(/^EGRESS_ALLOW: "10\.0\.0\.0\/99" is not a valid CIDR/);
    expect(loadConfig({}).egress.allow).toEqual([]);
  });
});

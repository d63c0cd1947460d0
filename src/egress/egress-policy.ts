import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { AllowEntry, entryCovers, IpAddress, normalizeAddress } from '../shared/allow-list';

/** Where a connection would go: the URL's host as written, the address it resolved to, the port. */
export interface Destination {
  readonly host: string;
  readonly address: string;
  readonly port: number;
}

export type EgressVerdict =
  | { readonly allowed: true; readonly by: 'public' | 'allow_list' }
  /** `reason`: `own_port`, or the address range in snake case (`loopback`, `link_local`, `private`, …). */
  | { readonly allowed: false; readonly reason: string };

export interface EgressPolicyOptions {
  readonly allow: readonly AllowEntry[];
  /** The service's own listening ports (HTTP, PostgreSQL); read at every check, so a port bound after start counts. */
  readonly ownPorts: () => Iterable<number>;
  /** This machine's addresses; defaults to every interface's address. */
  readonly localAddresses?: () => Iterable<string>;
}

/**
 * IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291): ipaddr.js calls it unicast, but it
 * only ever names an IPv4 host, so it is refused like the IPv4 forms are.
 */
const EXTRA_REFUSED: ReadonlyArray<[string, [IpAddress, number]]> = [['ipv4_compatible', ipaddr.parseCIDR('::/96')]];

const snake = (range: string) => range.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The range an address belongs to: `unicast` for an ordinary public address, otherwise the name
 * of the special range (loopback, private, link_local, unique_local, carrier_grade_nat, multicast,
 * broadcast, unspecified, reserved, 6to4, teredo, rfc6052 (NAT64), ipv4_compatible, …).
 * IPv4-mapped IPv6 is classified as the IPv4 address it carries.
 */
export function addressRange(address: string): string {
  let addr: IpAddress;
  try {
    addr = normalizeAddress(address);
  } catch {
    return 'invalid_address';
  }
  for (const [name, range] of EXTRA_REFUSED) {
    if (addr.kind() === range[0].kind() && addr.match(range) && addr.range() === 'unicast') return name;
  }
  return snake(addr.range());
}

const normalizedString = (address: string) => {
  try {
    return normalizeAddress(address).toNormalizedString();
  } catch {
    return null;
  }
};

const interfaceAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address)
    .filter((a): a is string => !!a);

/**
 * The egress policy: which destinations the service may open a connection to. Pure apart from
 * reading the own ports and this machine's addresses; the dispatcher asks it for every address a
 * name resolved to, at connect time.
 *
 * Order of the rules:
 * 1. an allow entry with a port that covers the destination and names this port → allowed;
 * 2. one of the service's own ports on one of this machine's addresses (loopback, unspecified or
 *    an interface address) → refused, even if an entry without a port covers the address: reaching
 *    the service's own API or its PostgreSQL from inside is what an attacker wants most;
 * 3. an allow entry without a port that covers the destination (by address or by host name) → allowed;
 * 4. an address outside ordinary public unicast → refused;
 * 5. anything else → allowed.
 */
export class EgressPolicy {
  constructor(private readonly opts: EgressPolicyOptions) {}

  check(dest: Destination): EgressVerdict {
    let addr: IpAddress;
    try {
      addr = normalizeAddress(dest.address);
    } catch {
      return { allowed: false, reason: 'invalid_address' };
    }
    const covering = this.opts.allow.filter((e) => entryCovers(e, dest.host, addr));
    if (covering.some((e) => e.port === dest.port)) return { allowed: true, by: 'allow_list' };
    if (this.isOwnPort(dest.port) && this.isLocal(addr)) return { allowed: false, reason: 'own_port' };
    if (covering.some((e) => e.port === null)) return { allowed: true, by: 'allow_list' };
    const range = addressRange(dest.address);
    return range === 'unicast' ? { allowed: true, by: 'public' } : { allowed: false, reason: range };
  }

  private isOwnPort(port: number): boolean {
    for (const p of this.opts.ownPorts()) if (p === port) return true;
    return false;
  }

  private isLocal(addr: IpAddress): boolean {
    const range = addr.range();
    if (range === 'loopback' || range === 'unspecified') return true;
    const mine = addr.toNormalizedString();
    for (const a of (this.opts.localAddresses ?? interfaceAddresses)()) if (normalizedString(a) === mine) return true;
    return false;
  }
}

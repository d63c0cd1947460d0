import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * One `EGRESS_ALLOW` entry. `port` null means every port (except the service's own ports on this
 * machine); a port makes the entry open exactly that port, own port or not.
 */
export type AllowEntry =
  | { readonly kind: 'cidr'; readonly text: string; readonly range: [IpAddress, number]; readonly port: number | null }
  | { readonly kind: 'host'; readonly text: string; readonly name: string; readonly wildcard: boolean; readonly port: number | null };

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) compares as the IPv4 address it stands for. */
export function normalizeAddress(address: string): IpAddress {
  return ipaddr.process(address);
}

function normalizeRange([addr, bits]: [IpAddress, number]): [IpAddress, number] {
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [addr, bits];
}

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;
const isPlainIp = (s: string) => ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s);

function parsePort(text: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}": port must be 1 to 65535`);
  return port;
}

function parseAddressOrHost(text: string, hostPart: string, port: number | null): AllowEntry {
  if (isPlainIp(hostPart)) {
    const addr = ipaddr.parse(hostPart);
    return { kind: 'cidr', text, range: normalizeRange([addr, addr.kind() === 'ipv4' ? 32 : 128]), port };
  }
  const name = hostPart.toLowerCase();
  if (!HOST_NAME.test(name)) throw new Error(`"${text}" is neither a CIDR, an IP address nor a host name`);
  const wildcard = name.startsWith('*.');
  return { kind: 'host', text, name: (wildcard ? name.slice(2) : name).replace(/\.$/, ''), wildcard, port };
}

/**
 * Parses one entry: a CIDR (`10.0.0.0/8`, `fd00::/8`), an address (`127.0.0.1`, `::1`), a host name
 * (`vault.internal`, `*.svc.cluster.local`), or any of the last three with a port
 * (`127.0.0.1:8080`, `[::1]:8080`, `vault.internal:8200`). Throws a message naming the entry.
 */
export function parseAllowEntry(text: string): AllowEntry {
  if (text.includes('/')) {
    if (!ipaddr.isValidCIDR(text)) throw new Error(`"${text}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    return { kind: 'cidr', text, range: normalizeRange(ipaddr.parseCIDR(text)), port: null };
  }
  if (isPlainIp(text)) return parseAddressOrHost(text, text, null);
  const v6WithPort = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6WithPort) {
    if (!ipaddr.IPv6.isValid(v6WithPort[1])) throw new Error(`"${text}": ${v6WithPort[1]} is not an IPv6 address`);
    return parseAddressOrHost(text, v6WithPort[1], parsePort(text, v6WithPort[2]));
  }
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  if (withPort) return parseAddressOrHost(text, withPort[1], parsePort(text, withPort[2]));
  return parseAddressOrHost(text, text, null);
}

/** A comma-separated list; blanks are ignored. */
export function parseAllowList(raw: string): AllowEntry[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseAllowEntry);
}

/** Whether an entry (ignoring its port) covers this destination: by the URL's host name or the resolved address. */
export function entryCovers(entry: AllowEntry, host: string, address: IpAddress): boolean {
  if (entry.kind === 'cidr') return entry.range[0].kind() === address.kind() && address.match(entry.range);
  const h = host.toLowerCase().replace(/\.$/, '');
  return entry.wildcard ? h.endsWith(`.${entry.name}`) : h === entry.name;
}

import ipaddr from 'ipaddr.js';
import { DomainError } from '../../../ports/errors.js';
import type { IpFilterSettings } from '../../config/security-settings.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** One spelling per address: IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes 10.0.0.1, so keys and ranges agree. */
export function canonicalIp(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : address;
}

function parseRange(entry: string, where: string): Range {
  try {
    if (entry.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      // ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are compared in their canonical (IPv4) form.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [address, bits];
    }
    const address = ipaddr.process(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new DomainError('CONFIG_INVALID', `${where}: "${entry}" is not an IP address or CIDR range.`, 'Write addresses like 203.0.113.7 or ranges like 10.0.0.0/8, 2001:db8::/32.');
  }
}

function inRanges(ip: string, ranges: readonly Range[]): boolean {
  // Parsing the address is most of the cost, and every request of a filtered group asks (mostly of empty lists).
  if (ranges.length === 0 || !ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
}

/** An allow / deny list of addresses and CIDR ranges; deny wins, an empty allow list allows the rest. */
export class IpFilter {
  private readonly allow: Range[];
  private readonly deny: Range[];

  constructor(settings: IpFilterSettings, where: string) {
    this.allow = settings.allow.map((entry) => parseRange(entry, `${where}.allow`));
    this.deny = settings.deny.map((entry) => parseRange(entry, `${where}.deny`));
  }

  allows(ip: string): boolean {
    if (inRanges(ip, this.deny)) return false;
    return this.allow.length === 0 || inRanges(ip, this.allow);
  }
}

import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { DomainError } from '../../../ports/errors.js';
import { canonicalIp } from './ip-ranges.js';

/**
 * The client's address: the socket's peer, or, when that peer is a configured trusted proxy, the nearest
 * X-Forwarded-For entry not itself trusted (proxy-addr walks the chain). A header from anyone else is
 * ignored, so a client cannot choose the address its limits and filters are keyed on.
 */
export function clientIpResolver(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  let trust: (addr: string, i: number) => boolean;
  try {
    trust = proxyaddr.compile([...trustedProxies]);
  } catch (err) {
    throw new DomainError('CONFIG_INVALID', `security.trustedProxies: ${(err as Error).message}`, 'List addresses or CIDR ranges, e.g. 10.0.0.0/8.');
  }
  return (req) => canonicalIp(proxyaddr(req, trust));
}

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
  if (trustedProxies.length > 0) return (req) => canonicalIp(proxyaddr(req, trust));
  // Without trusted proxies the address is the socket's peer, the same for every request on a kept-alive
  // connection: worked out (and parsed into its canonical form) once per connection.
  const bySocket = new WeakMap<object, string>();
  return (req) => {
    let ip = bySocket.get(req.socket);
    if (ip === undefined) {
      ip = canonicalIp(proxyaddr(req, trust));
      bySocket.set(req.socket, ip);
    }
    return ip;
  };
}

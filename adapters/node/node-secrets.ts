import * as crypto from 'node:crypto';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Secrets } from '../../ports/runtime.js';

/**
 * Hex SHA-256 in one call where Node has it (20.12 and later): no Hash object per value, about half the
 * cost for the short strings hashed on every send (contacts, counter keys).
 */
const sha256Hex: (value: string) => string = typeof crypto.hash === 'function'
  ? (value) => crypto.hash('sha256', value, 'hex')
  : (value) => createHash('sha256').update(value).digest('hex');

export class NodeSecrets implements Secrets {
  generate(prefix: string): string {
    return prefix + randomBytes(32).toString('base64url');
  }

  signingSecret(): string {
    return 'whsec_' + randomBytes(32).toString('base64');
  }

  hash(value: string): string {
    return sha256Hex(value);
  }

  equal(a: string, b: string): boolean {
    // Hash both sides so lengths match and the comparison time says nothing about either value.
    const da = createHash('sha256').update(a).digest();
    const db = createHash('sha256').update(b).digest();
    return timingSafeEqual(da, db);
  }

  hmac(key: string, value: string): string {
    return createHmac('sha256', key).update(value).digest('hex');
  }

  fingerprint(request: unknown): string {
    // No per-process key: a random one made every retry after a restart, or on a second server, look like a
    // different request. The message itself is stored beside the fingerprint, so a key would hide nothing.
    return this.hash(stringify(request) ?? 'null');
  }
}

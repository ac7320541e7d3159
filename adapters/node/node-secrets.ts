import * as crypto from 'node:crypto';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Secrets } from '../../ports/runtime.js';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
/**
 * Node's one-shot `crypto.hash` (20.12 and later; `engines` allows older 20s, hence the fallback): a third of the
 * CPU of createHash().update().digest() for short inputs, and every request hashes its bearer token several times.
 */
const oneShot = (crypto as { hash?: OneShotHash }).hash;
const sha256Hex: (value: string) => string = oneShot
  ? (value) => oneShot('sha256', value, 'hex')
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
    return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
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

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Secrets } from '../../ports/runtime.js';

export class NodeSecrets implements Secrets {
  /** Keys the request fingerprints, so stored hashes reveal nothing about message contents. */
  constructor(private readonly fingerprintKey: string = randomBytes(32).toString('hex')) {}

  generate(prefix: string): string {
    return prefix + randomBytes(32).toString('base64url');
  }

  signingSecret(): string {
    return 'whsec_' + randomBytes(32).toString('base64');
  }

  hash(value: string): string {
    return createHash('sha256').update(value).digest('hex');
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

  fingerprint(value: string): string {
    return createHmac('sha256', this.fingerprintKey).update(value).digest('hex');
  }
}

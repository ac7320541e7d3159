/** The Node adapter of the Secrets port: SHA-256 hashes as the database stores them, and a comparison that hides lengths. */
import { describe, expect, it } from 'vitest';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';

const secrets = new NodeSecrets();

describe('NodeSecrets', () => {
  it('hashes to the lower-case hex SHA-256 that stored token hashes are', () => {
    // FIPS 180-2's test vector.
    expect(secrets.hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(secrets.hash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('tells equal values from different ones, of any lengths', () => {
    expect(secrets.equal('token-a', 'token-a')).toBe(true);
    expect(secrets.equal('token-a', 'token-b')).toBe(false);
    expect(secrets.equal('short', 'a much longer value than the other')).toBe(false);
    expect(secrets.equal('', '')).toBe(true);
  });

  it('fingerprints a request whatever the order of its keys', () => {
    expect(secrets.fingerprint({ a: 1, b: [2, 3] })).toBe(secrets.fingerprint({ b: [2, 3], a: 1 }));
    expect(secrets.fingerprint({ a: 1 })).not.toBe(secrets.fingerprint({ a: 2 }));
  });
});

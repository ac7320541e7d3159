import { DomainError } from '../../ports/errors.js';
import type { CredentialCipher, ProviderCredentialRecord, SealedSecret } from '../../ports/provider-credentials.js';

/**
 * What a sealed credential set is bound to: its id and its name. A ciphertext copied into another row
 * (or a row renamed) fails to open instead of handing one customer's credentials to another's name.
 */
function associatedData(id: string, name: string): string {
  return `agentos-comms/provider-credentials/v1\0${id}\0${name}`;
}

export function sealCredentials(cipher: CredentialCipher, id: string, name: string, credentials: Record<string, unknown>): SealedSecret {
  return cipher.seal(JSON.stringify(credentials), associatedData(id, name));
}

/** The adapter options stored in `record`, decrypted and checked (see CredentialCipher.open for the errors). */
export function openCredentials(cipher: CredentialCipher, record: Pick<ProviderCredentialRecord, 'id' | 'name' | 'sealed'>): Record<string, unknown> {
  const plaintext = cipher.open(record.sealed, associatedData(record.id, record.name));
  const value: unknown = JSON.parse(plaintext);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // Authenticated, so written by this code: only a bug gets here. The text is not echoed (it holds secrets).
    throw new DomainError('INTERNAL', `The stored credential set "${record.name}" is not an object.`, 'Remove it and register it again.', { name: record.name });
  }
  return value as Record<string, unknown>;
}

/** Re-seals `record` under the cipher's current key (rotation): same plaintext, same binding, fresh IV. */
export function resealCredentials(cipher: CredentialCipher, record: ProviderCredentialRecord): SealedSecret {
  return cipher.seal(JSON.stringify(openCredentials(cipher, record)), associatedData(record.id, record.name));
}

/**
 * Stored provider credentials: named credential sets (a Twilio account, a Resend key …) that an operator
 * registers once, verified against the provider, and that adapters are then built with. At rest they are
 * encrypted (AES-256-GCM); only the sealed form crosses the repository.
 */

/** An encrypted value: AES-256-GCM ciphertext with its IV and tag, and the fingerprint of the key that sealed it. */
export interface SealedSecret {
  /** Fingerprint of the key (not the key): tells rotation which rows still need re-encrypting. */
  keyId: string;
  /** Base64 of the 96-bit IV, random per sealing. */
  iv: string;
  /** Base64 of the ciphertext. */
  ciphertext: string;
  /** Base64 of the 128-bit authentication tag. */
  tag: string;
}

/** Encrypts with the current key, decrypts with the current or the previous one. */
export interface CredentialCipher {
  /** Fingerprint of the key `seal` uses; throws CREDENTIALS_KEY_MISSING / _INVALID when there is none. */
  currentKeyId(): string;
  /**
   * Seals `plaintext` under the current key, bound to `associatedData` (opening it under any other
   * associated data fails). Throws CREDENTIALS_KEY_MISSING or CREDENTIALS_KEY_INVALID without a usable key.
   */
  seal(plaintext: string, associatedData: string): SealedSecret;
  /**
   * The plaintext; CREDENTIALS_KEY_UNKNOWN when sealed under a key it does not hold, CREDENTIALS_TAMPERED
   * when any byte of it, or the associated data, differs from what was sealed.
   */
  open(sealed: SealedSecret, associatedData: string): string;
}

export interface ProviderCredentialRecord {
  id: string;
  /** Unique, chosen by the operator: what config and agents refer to (`credentialsRef`). */
  name: string;
  /** Plugin id of the adapter the credentials are for (`twilio`, `resend` …). */
  provider: string;
  /** The port that adapter serves (`telephony`, `email` …). */
  port: string;
  /** The customer the set belongs to; null for the operator's own. */
  ownerId: string | null;
  /** The adapter's options (credentials and endpoint), as JSON, sealed. */
  sealed: SealedSecret;
  /** What the provider answered to the credential check (no secret): `account AC12…` … */
  verifiedDetail: string;
  verifiedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderCredentialRepository {
  /** `CONFLICT` when the name (or id) is taken; nothing is written then. */
  insert(record: ProviderCredentialRecord): Promise<void>;
  findByName(name: string): Promise<ProviderCredentialRecord | null>;
  /** Every set, by name. */
  list(): Promise<ProviderCredentialRecord[]>;
  /** Whether a set of that name was there to remove. */
  remove(name: string): Promise<boolean>;
  /**
   * Replaces a set's sealed value, only while it is still sealed under `expectedKeyId`: one statement, so
   * a concurrent rotation or removal is never overwritten. Whether the row was replaced.
   */
  reseal(id: string, expectedKeyId: string, sealed: SealedSecret, updatedAt: Date): Promise<boolean>;
  /** Up to `limit` sets not sealed under `keyId`, by id, after `afterId` when given (rotation's batches). */
  listNotUnderKey(keyId: string, afterId: string | null, limit: number): Promise<ProviderCredentialRecord[]>;
}

/** What a verified credential set is for, and what the provider answered (no secret). */
export interface VerifiedCredentials {
  provider: string;
  port: string;
  detail: string;
}

/**
 * Proves credentials against the provider before they are stored: builds the provider's adapter with
 * them as its options and makes the adapter's free authenticated read (the check `doctor` makes).
 */
export interface ProviderVerifier {
  /**
   * Resolves when the provider accepted them. INVALID_INPUT for an unknown provider, options its adapter
   * refuses, or an adapter that cannot check credentials without sending; the adapter's own error
   * (PROVIDER_AUTH_FAILED …) when the provider refused them. Errors never hold the credentials.
   */
  verify(request: { provider: string; port?: string; credentials: Record<string, unknown> }): Promise<VerifiedCredentials>;
}

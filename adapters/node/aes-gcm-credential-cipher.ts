import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../ports/errors.js';
import type { CredentialCipher, SealedSecret } from '../../ports/provider-credentials.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96 bits: the IV size GCM is specified for; random per sealing, so a key never sees one twice in practice. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const CREDENTIALS_KEY_VARIABLE = 'COMMS_CREDENTIALS_KEY';
export const PREVIOUS_CREDENTIALS_KEY_VARIABLE = 'COMMS_CREDENTIALS_KEY_PREVIOUS';

const GENERATE = 'Generate one with `openssl rand -base64 32`';

/** A key read from the environment: usable, absent, or present but unusable (the error says which variable). */
type KeySlot = { key: Buffer; id: string } | { problem: DomainError } | null;

/** The key's fingerprint: SHA-256 of a label and the key, shortened. It names the key without revealing it. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('agentos-comms credentials key\0').update(key).digest('hex').slice(0, 16);
}

function readKey(variable: string, value: string | undefined): KeySlot {
  if (value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores characters outside the alphabet: re-encoding tells real base64 from noise.
  if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) {
    return {
      problem: new DomainError('CREDENTIALS_KEY_INVALID', `${variable} is not the base64 encoding of ${KEY_BYTES} bytes (an AES-256 key).`,
        `${GENERATE} and set ${variable} to it (keep the old value if credentials were stored under it).`, { variable }),
    };
  }
  return { key, id: keyId(key) };
}

const usable = (slot: KeySlot): slot is { key: Buffer; id: string } => slot !== null && 'key' in slot;

/**
 * AES-256-GCM under keys from the environment: `COMMS_CREDENTIALS_KEY` seals and opens,
 * `COMMS_CREDENTIALS_KEY_PREVIOUS` (during a rotation) only opens. Every sealing has a fresh random IV;
 * the associated data (the record's id and name) is authenticated, so a ciphertext copied to another row
 * fails to open. A missing or ill-formed key is reported when it is needed, not at start-up: a server
 * that stores no credentials needs no key.
 */
export class AesGcmCredentialCipher implements CredentialCipher {
  private readonly current: KeySlot;
  private readonly previous: KeySlot;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.current = readKey(CREDENTIALS_KEY_VARIABLE, env[CREDENTIALS_KEY_VARIABLE]);
    this.previous = readKey(PREVIOUS_CREDENTIALS_KEY_VARIABLE, env[PREVIOUS_CREDENTIALS_KEY_VARIABLE]);
  }

  currentKeyId(): string {
    return this.currentKey().id;
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const { key, id } = this.currentKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: id, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    const slot = [this.current, this.previous].filter(usable).find((s) => s.id === sealed.keyId);
    if (!slot) {
      // An unusable key set in the environment is the likelier cause: name it rather than "unknown key".
      for (const s of [this.current, this.previous]) if (s && !usable(s)) throw s.problem;
      this.currentKey();
      throw new DomainError('CREDENTIALS_KEY_UNKNOWN', 'Stored credentials were encrypted under a key this server does not hold.',
        `Set ${PREVIOUS_CREDENTIALS_KEY_VARIABLE} to the key they were stored under and run \`agentos-comms keys rotate\`; if that key is lost, remove the credential set and register it again.`,
        { keyId: sealed.keyId });
    }
    try {
      const iv = Buffer.from(sealed.iv, 'base64');
      const tag = Buffer.from(sealed.tag, 'base64');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('malformed IV or tag');
      const decipher = createDecipheriv(ALGORITHM, slot.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // Node's own message ("Unsupported state or unable to authenticate data") says nothing more; no bytes are echoed.
      throw new DomainError('CREDENTIALS_TAMPERED', 'Stored credentials failed their integrity check: they were altered, or copied from another credential set.',
        'Treat it as an incident (who can write the database?), then remove the credential set and register it again.', { keyId: sealed.keyId });
    }
  }

  private currentKey(): { key: Buffer; id: string } {
    if (usable(this.current)) return this.current;
    if (this.current) throw this.current.problem;
    throw new DomainError('CREDENTIALS_KEY_MISSING', `${CREDENTIALS_KEY_VARIABLE} is not set: stored provider credentials cannot be encrypted or read.`,
      `${GENERATE}, set ${CREDENTIALS_KEY_VARIABLE} to it where the server runs, and keep a copy in your secret manager (credentials stored under it are unreadable without it).`,
      { variable: CREDENTIALS_KEY_VARIABLE });
  }
}

import { createHash } from 'node:crypto';

/** Resend keeps an idempotency key for 24 hours. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

interface Remembered {
  fingerprint: string;
  emailId: string;
  at: number;
}

/** JSON with object keys sorted, so that key order does not make two equal payloads differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function payloadFingerprint(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

export type IdempotencyVerdict = { kind: 'new' } | { kind: 'replay'; emailId: string } | { kind: 'mismatch' };

/** `Idempotency-Key` → the email it created and the payload it was created from. */
export class IdempotencyStore {
  private readonly byKey = new Map<string, Remembered>();

  constructor(private readonly now: () => Date) {}

  check(key: string, fingerprint: string): IdempotencyVerdict {
    const remembered = this.byKey.get(key);
    if (!remembered || this.now().getTime() - remembered.at > KEY_LIFETIME_MS) return { kind: 'new' };
    return remembered.fingerprint === fingerprint ? { kind: 'replay', emailId: remembered.emailId } : { kind: 'mismatch' };
  }

  remember(key: string, fingerprint: string, emailId: string): void {
    this.byKey.set(key, { fingerprint, emailId, at: this.now().getTime() });
  }

  clear(): void {
    this.byKey.clear();
  }
}

import type { Secrets } from '../../ports/runtime.js';

/** The one form of a contact that compliance records use: E.164 without channel prefix, addresses lower-cased. */
export function normaliseContact(contact: string): string {
  const value = contact.trim().replace(/^whatsapp:/i, '');
  return value.includes('@') ? value.toLowerCase() : value;
}

/** Hex SHA-256 of the normalised contact: how opt-outs, the do-not-contact list, consents and tombstones name a person. */
export function contactHash(secrets: Pick<Secrets, 'hash'>, contact: string): string {
  return secrets.hash(`contact:${normaliseContact(contact)}`);
}

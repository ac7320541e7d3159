import { DomainError } from '../../../ports/errors.js';
import type { CorePorts } from '../../context.js';

/** Senders without an E.164 form: a short code (3 to 8 digits) of a text, a caller who withheld the number. */
const NOT_E164_SENDER = { text: /^\d{3,8}$/, call: /^(anonymous|restricted|private|unknown)$/i } as const;

function notANumber(field: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    `The webhook's ${field} is not a phone number in E.164 form.`,
    'Only the provider should call this URL; a provider sends numbers as + and digits.',
    { field },
  );
}

/**
 * The numbers of a signed SMS or call webhook, checked as E.164 by the phone-number port (a short code may send a
 * text, a withheld number make a call) before anything is looked up or stored. Twilio signs the concatenation of
 * every name and value, so text moved from one signed field into the next keeps the signature valid: only strict
 * forms stop it.
 */
export function requireProviderNumbers(ports: CorePorts, numbers: { from: string; to: string }, kind: 'text' | 'call'): void {
  const isE164 = (value: string) => ports.phoneNumbers.parse(value)?.e164 === value;
  if (!isE164(numbers.to)) throw notANumber('to');
  if (!isE164(numbers.from) && !NOT_E164_SENDER[kind].test(numbers.from)) throw notANumber('from');
}

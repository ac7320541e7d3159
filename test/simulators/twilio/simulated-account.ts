/** The Twilio account the simulator plays: its credentials and the numbers it owns. */
export interface SimulatedAccount {
  accountSid: string;
  authToken: string;
  /** E.164 numbers the account may send from. */
  ownedNumbers: ReadonlySet<string>;
  /** Well-formed destinations Twilio refuses, with the error code it answers (Twilio's magic test numbers). */
  refusedDestinations: Readonly<Record<string, number>>;
}

/** Twilio's test-credential magic numbers, so the simulator refuses what a test account refuses. */
export const TWILIO_MAGIC_REFUSED_DESTINATIONS: Readonly<Record<string, number>> = {
  '+15005550001': 21211,
  '+15005550002': 21612,
  '+15005550003': 21408,
  '+15005550004': 21610,
  '+15005550009': 21614,
};

const E164 = /^\+[1-9]\d{1,14}$/;

/** Channel addresses (`whatsapp:+1555…`) carry an E.164 number after the prefix. */
export function bareNumber(address: string): string {
  const colon = address.indexOf(':');
  return colon === -1 ? address : address.slice(colon + 1);
}

export function isE164(address: string): boolean {
  return E164.test(bareNumber(address));
}

/** Decodes `Authorization: Basic …` and checks it against the account. */
export function isAuthorized(account: SimulatedAccount, authorization: string | undefined): boolean {
  if (!authorization?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  return decoded.slice(0, colon) === account.accountSid && decoded.slice(colon + 1) === account.authToken;
}

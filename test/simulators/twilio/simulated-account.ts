/** The Twilio account the simulator plays: its credentials and the numbers it owns. */
export interface SimulatedAccount {
  accountSid: string;
  authToken: string;
  /** E.164 numbers the account may send from. */
  ownedNumbers: ReadonlySet<string>;
  /** Well-formed destinations Twilio refuses, with the error code it answers (Twilio's magic test numbers). */
  refusedDestinations: Readonly<Record<string, number>>;
  /** Well-formed destinations Twilio refuses to call, with the error code it answers. */
  refusedCallDestinations: Readonly<Record<string, number>>;
  /** The SID of the account (this one or one of its subaccounts) that holds `number`: its webhooks come from it. */
  holderOf(number: string): string;
  /** The auth token of this account or of a subaccount: Twilio signs a subaccount's webhooks with the subaccount's token. */
  tokenOf(accountSid: string): string;
}

/** Twilio's test-credential magic numbers, so the simulator refuses what a test account refuses. */
export const TWILIO_MAGIC_REFUSED_DESTINATIONS: Readonly<Record<string, number>> = {
  '+15005550001': 21211,
  '+15005550002': 21612,
  '+15005550003': 21408,
  '+15005550004': 21610,
  '+15005550009': 21614,
};

/** Twilio's test-credential magic numbers for calls (`To`). */
export const TWILIO_MAGIC_REFUSED_CALL_DESTINATIONS: Readonly<Record<string, number>> = {
  '+15005550001': 21217,
  '+15005550002': 21214,
  '+15005550003': 21215,
};

/**
 * Call refusals when none are configured: the magic call numbers, plus every SMS destination refused as an
 * invalid number (21211), because a number that does not exist cannot be called either.
 */
export function defaultRefusedCallDestinations(refusedSms: Readonly<Record<string, number>>): Record<string, number> {
  const refused: Record<string, number> = {};
  for (const [number, code] of Object.entries(refusedSms)) if (code === 21211) refused[number] = 21211;
  return { ...refused, ...TWILIO_MAGIC_REFUSED_CALL_DESTINATIONS };
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** Channel addresses (`whatsapp:+1555…`) carry an E.164 number after the prefix. */
export function bareNumber(address: string): string {
  const colon = address.indexOf(':');
  return colon === -1 ? address : address.slice(colon + 1);
}

export function isE164(address: string): boolean {
  return E164.test(bareNumber(address));
}

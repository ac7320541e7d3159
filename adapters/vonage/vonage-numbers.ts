/** Vonage writes numbers as digits, without + (MSISDN); ours are E.164 with it. */
export function toMsisdn(number: string): string {
  return number.trim().replace(/^\+/, '');
}

export function e164(number: string): string {
  return number.startsWith('+') ? number : `+${number}`;
}

/** `local@domain.tld` with no spaces or angle brackets: the shape Resend accepts for a bare address. */
const BARE_ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;
/** `Display Name <local@domain.tld>`. */
const NAMED_ADDRESS = /^[^<>]*<([^<>]+)>$/;

/** The bare address of `email@example.com` or `Name <email@example.com>`; null when it is neither. */
export function bareAddress(value: string): string | null {
  const trimmed = value.trim();
  const named = NAMED_ADDRESS.exec(trimmed);
  const candidate = named ? (named[1] ?? '').trim() : trimmed;
  return BARE_ADDRESS.test(candidate) ? candidate : null;
}

export function isAcceptedAddress(value: string): boolean {
  return bareAddress(value) !== null;
}

/**
 * How the admin console shows a contact's address by default: enough to tell two apart, not enough to
 * contact them. `+15550100123` → `+1555•••••23`, `someone@example.com` → `s•••@example.com`. The full
 * value is shown only through the audited reveal (comms_reveal).
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at > 0) return `${address[0]}•••${address.slice(at)}`;
  const prefix = address.startsWith('whatsapp:') ? 'whatsapp:' : '';
  const rest = address.slice(prefix.length);
  if (rest.length <= 6) return prefix + '•'.repeat(rest.length);
  return prefix + rest.slice(0, 5) + '•'.repeat(rest.length - 7) + rest.slice(-2);
}

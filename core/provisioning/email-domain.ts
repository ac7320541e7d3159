import { DomainError } from '../../ports/errors.js';
import type { EmailDomain } from '../../ports/provisioning.js';
import { requirePort, type CorePorts } from '../context.js';

/**
 * The sending domain of an address at the email provider: the account's own if it has it already (shared
 * by every agent of the domain), else created now. Its DNS records are what the operator must publish.
 */
export async function ensureEmailDomain(ports: CorePorts, address: string): Promise<EmailDomain> {
  const email = requirePort(ports, 'email');
  const domains = email.port.domains;
  if (!domains) {
    throw new DomainError('PROVISIONING_UNSUPPORTED', `The email adapter "${email.id}" cannot create sending domains.`,
      'Use an adapter that can (resend, or mock in demo mode), or set the domain up in the provider\'s console and give the agent its address with comms_update_agent.', { provider: email.id });
  }
  const name = address.slice(address.lastIndexOf('@') + 1);
  return (await domains.findDomain(name)) ?? domains.createDomain(name);
}

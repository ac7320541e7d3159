import { DomainError } from '../../ports/errors.js';
import type { NumberProvisioning } from '../../ports/provisioning.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { CorePorts, Provided } from '../context.js';

/** The telephony adapter, when it can buy and configure numbers. */
export type NumberProvider = Provided<TelephonyPort & { numbers: NumberProvisioning }>;

export function requireNumberProvider(ports: CorePorts): NumberProvider {
  const telephony = ports.telephony;
  if (!telephony) {
    throw new DomainError('CHANNEL_NOT_CONFIGURED', 'No telephony provider is configured on this server.', 'Configure the telephony section (e.g. use: twilio) and restart.', { port: 'telephony' });
  }
  if (!telephony.port.numbers) {
    throw new DomainError('PROVISIONING_UNSUPPORTED', `The telephony adapter "${telephony.id}" cannot buy or configure numbers.`,
      'Use an adapter that can (twilio, or mock in demo mode), or give the agent a number by hand with comms_update_agent.', { provider: telephony.id });
  }
  return telephony as NumberProvider;
}

export function noNumberAvailable(country: string, areaCode: string | undefined): DomainError {
  return new DomainError('NUMBER_UNAVAILABLE', `The provider has no number for sale in ${country}${areaCode ? ` with area code ${areaCode}` : ''} with the capabilities asked for.`,
    'Try another area code (or none), another country, or fewer capabilities.', { country, areaCode: areaCode ?? null });
}

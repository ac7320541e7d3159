import type { DnsRecord, NumberWebhooks, ProvisionedNumberRecord } from '../../ports/provisioning.js';
import type { CorePorts } from '../context.js';
import { expectedWebhooks, webhookDrift } from './number-webhooks.js';
import type { NumberProvider } from './provisioning-errors.js';

export interface NumberStatus {
  numberId: string;
  phoneNumber: string;
  state: ProvisionedNumberRecord['state'];
  /** The provider still holds the number for this account. */
  active: boolean;
  webhooks: NumberWebhooks | null;
  expected: NumberWebhooks;
  /** Webhook fields that do not point where they should (changed in the console, or a failed update). */
  drift: string[];
}

export interface EmailStatus {
  address: string;
  domain: string;
  domainId: string | null;
  status: string;
  records: DnsRecord[];
}

/** Each of the agent's numbers as the provider sees it now, compared with where its webhooks should point. */
export async function numberStatuses(ports: CorePorts, provider: NumberProvider | null, agentId: string): Promise<NumberStatus[]> {
  const expected = expectedWebhooks(ports.settings.publicBaseUrl, agentId);
  const statuses: NumberStatus[] = [];
  for (const number of await ports.db.provisioning.listAgentNumbers(agentId)) {
    const live = provider && number.providerRef ? await provider.port.numbers.fetch(number.providerRef) : null;
    statuses.push({
      numberId: number.id, phoneNumber: number.phoneNumber, state: number.state, active: live !== null,
      webhooks: live?.webhooks ?? null, expected, drift: live ? webhookDrift(live.webhooks, expected) : [],
    });
  }
  return statuses;
}

/** The sending domain of the agent's email address at the provider: verification state and DNS records. */
export async function emailStatus(ports: CorePorts, agentId: string): Promise<EmailStatus | null> {
  const channel = await ports.db.agents.findChannel(agentId, 'email');
  const domains = ports.email?.port.domains;
  if (!channel || !domains) return null;
  const name = channel.address.slice(channel.address.lastIndexOf('@') + 1);
  const domain = await domains.findDomain(name);
  return { address: channel.address, domain: name, domainId: domain?.id ?? null, status: domain?.status ?? 'missing', records: domain?.records ?? [] };
}

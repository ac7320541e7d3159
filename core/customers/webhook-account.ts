import type { AgentRecord } from '../../ports/records.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { requireTelephony, type CorePorts, type Provided } from '../context.js';
import { invalidSignature } from '../messages/inbound/store-inbound.js';
import { webhookAgentById } from '../agents/agent-cache.js';
import { signerOf } from '../webhook-signer.js';

/** The telephony adapter whose account signed a webhook, and the stored credential set it acts with (null: the configured account). */
export type SignedTelephony = Provided<TelephonyPort> & { credentialsRef: string | null };

/**
 * The first step of every telephony webhook: the adapter of the account that must have signed it, its signature
 * checked, or INVALID_SIGNATURE. Twilio signs the webhooks of a subaccount's numbers with the SUBACCOUNT's auth
 * token, so a customer's (or an agent's) subaccount is verified with its own stored credentials: chosen before
 * anything is parsed or stored, by the agent a per-agent URL names (its primary key, already read by the admission
 * check) or, on the shared URL, by the account the request names (one indexed lookup). An account that no customer or
 * agent has is refused. Agents of the configured account keep the configured adapter (a failover list's signer).
 */
export async function telephonySigner(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<SignedTelephony> {
  const configured = requireTelephony(ports);
  const credentialsRef = await signingCredentials(ports, configured.port, agentId, request);
  if (credentialsRef === null) return { ...signerOf(configured, request), credentialsRef: null };
  const adapter = await ports.telephonyWith(credentialsRef);
  if (!adapter.port.verifyWebhook(request)) throw invalidSignature();
  return { ...adapter, credentialsRef };
}

/**
 * Refuses a webhook whose signer is not the account `agent` acts with: on the shared URL the agent is known only
 * once the verified request is parsed, and one customer's subaccount must not speak for another's agents.
 */
export function requireSignedFor(signer: SignedTelephony, agent: Pick<AgentRecord, 'credentialsRef'>): void {
  if ((agent.credentialsRef ?? null) !== signer.credentialsRef) throw invalidSignature();
}

async function signingCredentials(ports: CorePorts, configured: TelephonyPort, agentId: string | null, request: WebhookRequest): Promise<string | null> {
  // The agent the admission check has just read, from the webhook cache: a read of its own here was a second trip
  // through the SQLite write batch (or a PostgreSQL round trip) per webhook. Its credentials are set when it is made.
  if (agentId !== null) return (await webhookAgentById(ports, agentId))?.credentialsRef ?? null;
  const claimed = configured.webhookAccount?.(request) ?? null;
  if (claimed === null || claimed === configured.accountId) return null;
  const credentialsRef = await ports.db.customers.credentialsOfAccount(claimed);
  if (credentialsRef === null) throw invalidSignature();
  return credentialsRef;
}

/**
 * The telephony adapter whose account signs the voice socket upgrade of our call `callId`: its agent's subaccount's
 * (Twilio signs a subaccount's ConversationRelay and Media Stream upgrades with the subaccount's token), else the
 * configured one; null when no telephony is configured. Two primary-key reads; an unknown call gets the configured
 * adapter, and its session is refused at setup anyway.
 */
export async function callTelephony(ports: CorePorts, callId: string): Promise<Provided<TelephonyPort> | null> {
  if (!ports.telephony) return null;
  const call = await ports.db.calls.findById(callId);
  const agent = call ? await ports.db.agents.findById(call.agentId) : null;
  return agent?.credentialsRef ? ports.telephonyWith(agent.credentialsRef) : ports.telephony;
}

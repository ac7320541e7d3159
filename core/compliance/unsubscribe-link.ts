import type { AgentRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { contactHash } from './contact-hash.js';

/**
 * Unsubscribe links of marketing emails: `{publicBaseUrl}/unsubscribe/{agentId}/{contactHash}.{signature}`.
 * The signature (HMAC under a key derived from the agent's signing secret) makes the link work on any
 * server sharing the database without a login, and names the person only by the hash of their address.
 */
function signature(ports: CorePorts, agent: AgentRecord, hash: string): string {
  return ports.secrets.hmac(`unsubscribe-link:${agent.callbackSecret}`, `${agent.id}:${hash}`).slice(0, 32);
}

export function unsubscribeUrl(ports: CorePorts, agent: AgentRecord, recipient: string): string {
  const hash = contactHash(ports.secrets, recipient);
  return `${ports.settings.publicBaseUrl}/unsubscribe/${encodeURIComponent(agent.id)}/${hash}.${signature(ports, agent, hash)}`;
}

/** The contact hash a link's token names, or null when the token is not one this agent signed. */
export function verifyUnsubscribeToken(ports: CorePorts, agent: AgentRecord, token: string): string | null {
  const match = /^([0-9a-f]{64})\.([0-9a-f]{32})$/.exec(token);
  if (!match) return null;
  const [, hash, given] = match;
  return ports.secrets.equal(signature(ports, agent, hash!), given!) ? hash! : null;
}

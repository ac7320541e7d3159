import { DomainError } from '../../ports/errors.js';
import type { AgentChannelRecord, AgentRecord, Channel } from '../../ports/records.js';
import type { Caller, CorePorts, UseCaseContext } from '../context.js';
import { callerByTokenHash } from '../agents/agent-cache.js';
import { callerOwns } from './tenancy.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Customer admin tokens start with this; agent tokens with `aoc_`. */
export const CUSTOMER_TOKEN_PREFIX = 'aocc_';

function unauthorized(): DomainError {
  return new DomainError(
    'UNAUTHORIZED',
    'A valid bearer token is required.',
    'Send "Authorization: Bearer <token>" with the token printed by `agentos-comms agent create`.',
  );
}

/** Extracts the token of an `Authorization: Bearer …` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * Resolves a token to the caller it stands for. The admin token is compared in constant time; agent
 * tokens are looked up by their SHA-256 and the stored hash is compared in constant time as well.
 */
export async function authenticate(ports: CorePorts, token: string | undefined): Promise<Caller> {
  if (!token) throw unauthorized();
  const { adminToken } = ports.settings;
  if (adminToken && ports.secrets.equal(token, adminToken)) return { kind: 'admin' };
  const hash = ports.secrets.hash(token);
  // The prefix says which table holds it: agent tokens, the common case, cost one lookup as before.
  if (token.startsWith(CUSTOMER_TOKEN_PREFIX)) {
    const customer = await ports.db.customers.findByTokenHash(hash);
    if (!customer?.adminTokenHash || customer.status !== 'active' || !ports.secrets.equal(customer.adminTokenHash, hash)) throw unauthorized();
    return { kind: 'customer', customerId: customer.id };
  }
  // Kept per server and dropped at once by any change to the agent (agent-cache.ts): a rotated token or a
  // disabled agent is refused at the next request, on every server.
  const record = await callerByTokenHash(ports, hash);
  if (!record || record.agent.status !== 'active' || !ports.secrets.equal(record.agent.tokenHash, hash)) throw unauthorized();
  return { kind: 'agent', agentId: record.agent.id, record };
}

/**
 * The caller for an agent named by an access token the host verified (OAuth): that agent while it exists
 * and is active. The token itself was valid, so a refusal here is TOKEN_NOT_MAPPED, not a bad token.
 */
export async function callerForAgentId(ports: CorePorts, agentId: string): Promise<Caller> {
  const agent = await ports.db.agents.findById(agentId);
  if (!agent || agent.status !== 'active') {
    throw new DomainError(
      'TOKEN_NOT_MAPPED',
      'The access token is valid but names no active agent of this server.',
      'Ask the operator to check that the token\'s agent claim holds the id of an active agent (`agentos-comms agent list`).',
      { reason: agent ? 'agent-disabled' : 'unknown-agent' },
    );
  }
  return { kind: 'agent', agentId: agent.id };
}

/**
 * The agent a call acts for. An agent token acts only as its own agent; an admin token must name one: the
 * operator's any agent, a customer's only its own (another customer's agent is NOT_FOUND, as if absent).
 */
export async function actingAgent(ctx: UseCaseContext, requestedId: string | undefined): Promise<AgentRecord> {
  const { caller } = ctx;
  let agentId: string;
  if (caller.kind === 'agent') {
    if (requestedId !== undefined && requestedId !== caller.agentId) {
      throw new DomainError('FORBIDDEN', 'An agent token can only act as its own agent.', 'Leave agentId out, or use that agent\'s own token.');
    }
    agentId = caller.agentId;
  } else if (caller.kind === 'admin' || caller.kind === 'customer') {
    if (!requestedId) {
      throw new DomainError('INVALID_INPUT', 'agentId is required when calling with the admin token.', 'Pass the agentId of the agent to act for.', { field: 'agentId' });
    }
    agentId = requestedId;
  } else {
    throw unauthorized();
  }
  // An agent token's own record came with the token (cached until the agent changes, see agent-cache.ts).
  const agent = caller.kind === 'agent' && caller.record ? caller.record.agent : await ctx.ports.db.agents.findById(agentId);
  if (!agent || !callerOwns(caller, agent)) throw new DomainError('NOT_FOUND', `Agent ${agentId} does not exist.`, 'Check the agentId, or create the agent first.', { agentId });
  return agent;
}

/** The operator's or a customer's admin token (a customer's is confined to its agents, see tenancy.ts). */
export function requireAdmin(ctx: UseCaseContext): void {
  if (ctx.caller.kind !== 'admin' && ctx.caller.kind !== 'customer') {
    throw new DomainError('FORBIDDEN', 'This operation needs the admin token.', 'Call it with COMMS_ADMIN_TOKEN.');
  }
}

/**
 * The agent's own address on a channel (the oldest if several). Free when the agent's token brought its
 * record with this request; one lookup otherwise (admin token, background work).
 */
export async function ownChannel(ctx: UseCaseContext, agentId: string, channel: Channel): Promise<AgentChannelRecord | null> {
  const { caller } = ctx;
  if (caller.kind === 'agent' && caller.record?.agent.id === agentId) {
    return caller.record.channels.find((c) => c.channel === channel) ?? null;
  }
  return ctx.ports.db.agents.findChannel(agentId, channel);
}

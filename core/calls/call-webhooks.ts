import type { CallStatusUpdate } from '../../ports/calls.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { CorePorts } from '../context.js';
import { requireSignedFor, telephonySigner } from '../customers/webhook-account.js';
import { requireAgent } from '../messages/inbound/store-inbound.js';
import { telephonyCalls } from './telephony-calls.js';
import { continueDetectedCall } from './machine-detection.js';
import { recordCallStatus } from './record-call-status.js';

/**
 * Call progress from the provider (initiated → ringing → in-progress → completed …), signature first. `agentId` comes
 * from a per-agent URL; null on the URL shared by every agent, where the agent's own number on the call names it.
 */
export async function receiveCallStatus(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = await telephonySigner(ports, agentId, request);
  const calls = telephonyCalls(telephony);
  const update = calls.parseCallStatus(request);
  const owner = await reportingAgent(ports, agentId, update);
  // The shared URL learns the agent from the report: its account must be the one that signed it.
  if (owner && agentId === null) requireSignedFor(telephony, await requireAgent(ports, owner));
  const call = owner ? await ports.db.calls.findByProviderId(owner, update.providerCallId) : null;
  if (call) {
    const recorded = await recordCallStatus(ports, call, update);
    if (update.answeredBy) await continueDetectedCall(ports, calls, recorded, update.answeredBy);
  } else ports.logger.warn({ agentId: owner, providerCallId: update.providerCallId }, 'status report for an unknown call');
  return telephony.port.webhookReply();
}

/** Whose call a report is about: the agent of a per-agent URL, else the owner of the agent's number the report names. */
async function reportingAgent(ports: CorePorts, agentId: string | null, update: CallStatusUpdate): Promise<string | null> {
  if (agentId !== null) return agentId;
  if (!update.agentNumber) return null;
  return (await ports.db.agents.findChannelByAddress('sms', update.agentNumber))?.agentId ?? null;
}

/** Call progress pushed by an adapter (demo mode) for our call `reference`. */
export async function applyPushedCallStatus(ports: CorePorts, event: { reference: string } & CallStatusUpdate): Promise<void> {
  const call = await ports.db.calls.findById(event.reference);
  if (call) await recordCallStatus(ports, call, event);
}

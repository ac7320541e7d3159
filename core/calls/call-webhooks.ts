import type { CallStatusUpdate } from '../../ports/calls.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { requireTelephony, type CorePorts } from '../context.js';
import { invalidSignature } from '../messages/inbound/store-inbound.js';
import { recordCallStatus } from './record-call-status.js';

/** Call progress from the provider (initiated → ringing → in-progress → completed …), signature first. */
export async function receiveCallStatus(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = requireTelephony(ports);
  if (!telephony.port.verifyWebhook(request) || !telephony.port.calls) throw invalidSignature();
  const update = telephony.port.calls.parseCallStatus(request);
  const call = await ports.db.calls.findByProviderId(agentId, update.providerCallId);
  if (call) await recordCallStatus(ports, call, update);
  else ports.logger.warn({ agentId, providerCallId: update.providerCallId }, 'status report for an unknown call');
  return telephony.port.webhookReply();
}

/** Call progress pushed by an adapter (demo mode) for our call `reference`. */
export async function applyPushedCallStatus(ports: CorePorts, event: { reference: string } & CallStatusUpdate): Promise<void> {
  const call = await ports.db.calls.findById(event.reference);
  if (call) await recordCallStatus(ports, call, event);
}

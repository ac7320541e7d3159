import type { CallScript, TelephonyCalls } from '../../ports/calls.js';
import type { Purpose } from '../../ports/compliance.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import { requireTelephony, type CorePorts, type Provided, type UseCaseContext } from '../context.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { AgentRecord } from '../../ports/records.js';
import { checkOutbound, type Admission } from '../policy/pre-send-policy.js';
import { priceLine, type UsageLine } from '../usage/pricing.js';
import { nothingSent, releaseUsage } from '../usage/settle-usage.js';
import { telephonyCalls } from './telephony-calls.js';

/** The telephony adapter, if it can place calls, and the agent's own number to call from. */
export async function callingFrom(ports: CorePorts, agentId: string): Promise<{ telephony: Provided<TelephonyPort>; calls: TelephonyCalls; from: string }> {
  const telephony = requireTelephony(ports);
  const calls = telephonyCalls(telephony);
  const own = await ports.db.agents.findChannel(agentId, 'sms');
  if (!own) throw new DomainError('CHANNEL_NOT_CONFIGURED', `Agent ${agentId} has no phone number.`, 'Give the agent a number first (--phone).', { channel: 'sms' });
  return { telephony, calls, from: own.address };
}

/** A new outbound call log, `queued`, not yet handed to the provider. */
export function newOutboundCall(
  ports: CorePorts, fields: { id?: string; agentId: string; provider: string; from: string; to: string; metadata: Record<string, unknown>; audioUrl?: string; audioKey?: string },
): CallLogRecord {
  const now = ports.clock.now();
  return {
    id: fields.id ?? ports.ids.next('call'),
    agentId: fields.agentId,
    direction: 'outbound',
    from: fields.from,
    to: fields.to,
    status: 'queued',
    history: [{ status: 'queued', at: now.toISOString() }],
    provider: fields.provider,
    providerCallId: null,
    audioUrl: fields.audioUrl ?? null,
    audioKey: fields.audioKey ?? null,
    startedAt: now,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    priceMicros: null,
    currency: null,
    errorCode: null,
    errorMessage: null,
    metadata: fields.metadata,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/**
 * The pre-send policy for a call to `to`: its reserved minutes (settled with the real duration when it
 * ends), after any `before` lines already done (speech synthesised for a voice message).
 */
export function checkCall(
  ctx: UseCaseContext, agent: AgentRecord, call: { provider: string; from: string; to: string; purpose?: Purpose; content: string }, before: UsageLine[] = [],
): Promise<Admission> {
  const { usage } = ctx.ports.settings;
  const minutes = priceLine(usage, { channel: 'voice', action: 'call', units: usage.callReserveMinutes, unit: 'minute', provider: call.provider, to: call.to });
  return checkOutbound(ctx, {
    kind: 'call', agent, contacts: [call.to], sender: call.from, purpose: call.purpose, content: call.content, lines: [...before, minutes], doneLines: before.length,
  });
}

/**
 * Stores the call log with its usage reservation, then asks the provider to place the call, and records
 * the outcome either way: the provider's call id, or `failed` with the error's code (which is then thrown,
 * the reservation given back when the provider certainly placed nothing).
 */
export async function placeCall(
  ports: CorePorts, calls: TelephonyCalls, call: CallLogRecord, script: CallScript, admission: Admission,
  options: { machineDetection?: { answerUrl: string }; requestId?: string } = {},
): Promise<CallLogRecord> {
  const usage = await admission.commit({ callId: call.id }, async (db, keep) => {
    await db.calls.insert(call);
    return keep();
  });
  try {
    const placed = await calls.makeCall({
      from: call.from,
      to: call.to,
      script,
      statusCallbackUrl: `${ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(call.agentId)}/voice/status`,
      reference: call.id,
      ...options,
    });
    // A failover list names the member that placed it.
    const provider = placed.provider ?? call.provider;
    const accepted = { ...call, provider, providerCallId: placed.providerCallId, updatedAt: ports.clock.now(), version: call.version + 1 };
    if (await ports.db.calls.update(accepted, call.version)) return accepted;
    // A pushed status moved the call on first: keep its progress and add the provider id.
    const current = await ports.db.calls.findById(call.id);
    if (!current) return accepted;
    const withId = { ...current, provider, providerCallId: placed.providerCallId, version: current.version + 1 };
    return (await ports.db.calls.update(withId, current.version)) ? withId : current;
  } catch (err) {
    const error = isDomainError(err) ? err : new DomainError('INTERNAL', 'The telephony adapter failed unexpectedly.', 'Retry later.');
    const failedAt = ports.clock.now();
    await ports.db.calls.update({
      ...call,
      status: 'failed',
      history: [...call.history, { status: 'failed', at: failedAt.toISOString() }],
      endedAt: failedAt,
      errorCode: error.code,
      errorMessage: error.message,
      updatedAt: failedAt,
      version: call.version + 1,
    }, call.version);
    if (nothingSent(error.code)) await releaseUsage(ports, usage.filter((r) => r.action === 'call'));
    throw new DomainError(error.code, error.message, error.nextStep, { ...error.details, callId: call.id });
  }
}

import { DomainError, asErrorCode, isDomainError, isRetryableCode } from '../../ports/errors.js';
import type { Channel, MessageRecord } from '../../ports/records.js';
import { actingAgent } from '../auth/authenticate.js';
import type { UseCaseContext } from '../context.js';
import { defineUseCase } from '../use-case.js';
import { checkOutbound, type Admission, type UsageEstimate } from '../policy/pre-send-policy.js';
import type { UsageRecord } from '../../ports/usage.js';
import { priceLine } from '../usage/pricing.js';
import { nothingSent, releaseUsage } from '../usage/settle-usage.js';
import { usageEstimateSchema } from '../usage/usage-estimate-schema.js';
import { emailChannel } from './outbound/email-channel.js';
import type { OutboundChannel, PreparedMessage } from './outbound/outbound-channel.js';
import { sendMessageInputSchema, type SendMessageInput } from './outbound/send-input.js';
import { smsChannel } from './outbound/sms-channel.js';
import { whatsappChannel } from './outbound/whatsapp-channel.js';
import { predecessorsOf } from './status-transitions.js';
import { recordProviderOptOut } from '../compliance/opt-outs.js';
import { resolveReply, threadOutbound, type SendMessageRequest } from '../contacts/reply-to.js';

export type { SendMessageInput } from './outbound/send-input.js';

export interface SendMessageOutput {
  messageId: string;
  channel: string;
  from: string;
  to: string;
  status: string;
  providerMessageId: string | null;
  /** True when this answer is the stored result of an earlier call with the same idempotency key. */
  idempotentReplay: boolean;
  /** Units and estimated price of this send; null on a replay or when usage is off. */
  usage: UsageEstimate | null;
}

const CHANNELS: Readonly<Record<Channel, OutboundChannel>> = { sms: smsChannel, email: emailChannel, whatsapp: whatsappChannel };

export const sendMessage = defineUseCase<SendMessageRequest, SendMessageOutput>({
  name: 'comms_send_message',
  title: 'Send a message',
  description:
    'Send from this agent\'s own number or address. sms: `body` (up to 1600 characters). email: `subject`, ' +
    '`text` and/or `html`. whatsapp: `body` and/or `mediaUrls`; an approved `templateId` when the person has not ' +
    'written in the last 24 hours. Returns the message id and status; delivery updates show in comms_get_messages. ' +
    'A repeat with the same idempotencyKey sends nothing and returns the first result. Costs money (the result ' +
    'states units and estimated price); held to rate limits, per-contact limits and spending caps.',
  input: sendMessageInputSchema,
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['messageId', 'channel', 'from', 'to', 'status', 'providerMessageId', 'idempotentReplay', 'usage'],
    properties: {
      messageId: { type: 'string' },
      channel: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      status: { type: 'string' },
      providerMessageId: { type: ['string', 'null'] },
      idempotentReplay: { type: 'boolean' },
      usage: usageEstimateSchema,
    },
  },
  // Not idempotent: two calls without idempotencyKey send twice (the key makes a retry safe, the hint
  // describes the call as a client may make it).
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'messaging',
  rest: { method: 'POST', path: '/messages', successStatus: 201 },
  async run(ctx, request) {
    const agent = await actingAgent(ctx, request.agentId);
    const reply = await resolveReply(ctx, agent.id, request);
    const input = reply.input;
    const channel = CHANNELS[input.channel];
    const prepared = await channel.prepare(ctx, agent, input);
    const meter = channel.meter(prepared);
    const admission = await checkOutbound(ctx, {
      kind: input.channel,
      agent,
      contacts: meter.contacts,
      sender: prepared.from,
      purpose: input.purpose ?? 'transactional',
      content: prepared.content,
      lines: [priceLine(ctx.ports.settings.usage, { channel: input.channel, action: 'message', units: meter.units, unit: meter.unit, provider: prepared.provider, to: meter.contacts[0] ?? null })],
    });
    const message = threadOutbound(newOutboundMessage(ctx, agent.id, input, prepared), reply.repliedTo);
    const { outcome, usage } = await admission.commit({ messageId: message.id }, async (db, keep) => {
      const inserted = await db.messages.insertOutbound(message);
      return { outcome: inserted, usage: inserted.inserted ? keep() : [] };
    });
    if (!outcome.inserted) return replay(ctx, channel, outcome.message, message.requestHash, prepared, admission);
    ctx.ports.metrics.message(message.channel, 'outbound', 'pending');
    return deliver(ctx, channel, outcome.message, prepared, { records: usage, estimate: admission.estimate });
  },
});

/** Codes recovery gives an abandoned send (a delivery report's failure carries the provider's own code). */
const GIVEN_UP = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT']);

/** The reservation of a send in flight, and what the agent is told it costs. */
interface SendUsage {
  records: UsageRecord[];
  estimate: UsageEstimate | null;
}

function newOutboundMessage(ctx: UseCaseContext, agentId: string, input: SendMessageInput, prepared: PreparedMessage): MessageRecord {
  const now = ctx.ports.clock.now();
  const key = input.idempotencyKey ?? null;
  return {
    id: ctx.ports.ids.next('msg'),
    agentId,
    channel: input.channel,
    direction: 'outbound',
    from: prepared.from,
    to: prepared.to,
    body: prepared.body,
    status: 'pending',
    provider: prepared.provider,
    providerMessageId: null,
    idempotencyKey: key,
    requestHash: key === null ? null : ctx.ports.secrets.fingerprint(prepared.fingerprint),
    errorCode: null,
    errorMessage: null,
    metadata: prepared.metadata,
    createdAt: now,
    updatedAt: now,
  };
}

/** A repeat of an idempotency key: answer with what the first call produced, sending nothing new. */
async function replay(
  ctx: UseCaseContext, channel: OutboundChannel, stored: MessageRecord, requestHash: string | null, prepared: PreparedMessage, admission: Admission,
): Promise<SendMessageOutput> {
  if (stored.requestHash !== requestHash) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotencyKey was already used for a different message.',
      'Use a new idempotencyKey for a new message.',
      { messageId: stored.id },
    );
  }
  if (stored.status === 'pending') {
    throw new DomainError(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this idempotencyKey is still being sent.',
      'Retry in a moment with the same key to get its result.',
      { messageId: stored.id },
    );
  }
  if (stored.status === 'failed' && stored.providerMessageId === null) {
    // The provider never accepted it. If that was a transient failure, this retry may send it now.
    if (isRetryableCode(stored.errorCode)) {
      // The first attempt's reservation was released: this one reserves anew, with the claim of the message.
      const retry = await admission.commit({ messageId: stored.id }, async (db, keep) => {
        const claimed = await db.messages.changeStatus(
          stored.id, { status: 'pending', errorCode: null, errorMessage: null, updatedAt: ctx.ports.clock.now() }, ['failed'],
        );
        return claimed ? keep() : null;
      });
      if (retry) return deliver(ctx, channel, { ...stored, status: 'pending' }, prepared, { records: retry, estimate: admission.estimate });
    }
    throw new DomainError(
      asErrorCode(stored.errorCode),
      stored.errorMessage ?? 'The first attempt with this idempotencyKey failed.',
      stored.errorCode === 'PROVIDER_TIMEOUT'
        // Sending again could deliver it twice: the key keeps answering this instead.
        ? 'It may have been sent: check comms_get_messages (a status update may still arrive) or with the recipient before sending it again with a new idempotencyKey.'
        : 'The first attempt failed permanently; fix the cause and send with a new idempotencyKey.',
      { messageId: stored.id },
    );
  }
  return toOutput(stored, true, null);
}

/** Hands a stored `pending` message to its channel's provider and records the outcome either way. */
async function deliver(ctx: UseCaseContext, channel: OutboundChannel, message: MessageRecord, prepared: PreparedMessage, usage: SendUsage): Promise<SendMessageOutput> {
  const { db, clock } = ctx.ports;
  let result;
  try {
    result = await channel.send(ctx, message, prepared);
  } catch (err) {
    const error = isDomainError(err)
      ? err
      : new DomainError('INTERNAL', `The ${message.channel} adapter failed unexpectedly.`, 'Retry later; if it persists, check the server logs.');
    if (!isDomainError(err)) ctx.ports.logger.error({ err, messageId: message.id }, 'adapter threw a non-domain error');
    ctx.ports.alertTriggers.providerOutcome(typeof error.details.provider === 'string' ? error.details.provider : message.provider, error.code);
    await db.messages.changeStatus(
      message.id,
      { status: 'failed', errorCode: error.code, errorMessage: error.message, updatedAt: clock.now() },
      ['pending'],
    );
    ctx.ports.metrics.message(message.channel, 'outbound', 'failed');
    if (nothingSent(error.code)) await releaseUsage(ctx.ports, usage.records);
    if (error.code === 'OPTED_OUT') await recordProviderOptOut(ctx.ports, message);
    throw new DomainError(error.code, error.message, error.nextStep, { ...error.details, messageId: message.id });
  }
  // A failover list names the member that carried it.
  const provider = result.provider ?? message.provider;
  ctx.ports.alertTriggers.providerOutcome(provider, null);
  const change = { status: result.status, providerMessageId: result.providerMessageId, provider, updatedAt: clock.now() };
  const applied = await db.messages.changeStatus(message.id, change, ['pending', ...predecessorsOf(result.status)]);
  if (applied) ctx.ports.metrics.message(message.channel, 'outbound', result.status);
  if (!applied) {
    const current = await db.messages.findById(message.id);
    if (current?.status === 'failed' && current.providerMessageId === null && GIVEN_UP.has(current.errorCode ?? '')) {
      // Recovery gave this send up while it was still in flight (it took longer than recovery.stuckAfterSeconds):
      // the provider's answer is the truth, so a status report can find the message again.
      ctx.ports.logger.warn({ messageId: message.id }, 'a send outlasted recovery.stuckAfterSeconds: raise it above the adapters\' timeouts');
      await db.messages.changeStatus(message.id, { ...change, errorCode: null, errorMessage: null }, ['failed']);
      return toOutput({ ...message, status: result.status, providerMessageId: result.providerMessageId }, false, usage.estimate);
    }
    if (current) {
      // A pushed status event overtook this answer: keep its (later) status, record the provider id.
      await db.messages.changeStatus(message.id, { ...change, status: current.status }, [current.status]);
      return toOutput({ ...current, providerMessageId: result.providerMessageId }, false, usage.estimate);
    }
  }
  return toOutput({ ...message, status: result.status, providerMessageId: result.providerMessageId }, false, usage.estimate);
}

function toOutput(m: MessageRecord, idempotentReplay: boolean, usage: UsageEstimate | null): SendMessageOutput {
  return {
    messageId: m.id,
    channel: m.channel,
    from: m.from,
    to: m.to,
    status: m.status,
    providerMessageId: m.providerMessageId,
    idempotentReplay,
    usage,
  };
}

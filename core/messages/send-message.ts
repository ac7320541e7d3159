import { DomainError, asErrorCode, isDomainError, isRetryableCode } from '../../ports/errors.js';
import type { AgentRecord, MessageRecord } from '../../ports/records.js';
import { actingAgent } from '../auth/authenticate.js';
import { requireTelephony, type UseCaseContext } from '../context.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';
import { predecessorsOf } from './status-transitions.js';

export interface SendMessageInput {
  agentId?: string;
  channel: 'sms';
  to: string;
  body: string;
  idempotencyKey?: string;
}

export interface SendMessageOutput {
  messageId: string;
  channel: string;
  from: string;
  to: string;
  status: string;
  providerMessageId: string | null;
  /** True when this answer is the stored result of an earlier call with the same idempotency key. */
  idempotentReplay: boolean;
}

const SMS_MAX_LENGTH = 1600;

export const sendMessage = defineUseCase<SendMessageInput, SendMessageOutput>({
  name: 'comms_send_message',
  title: 'Send a message',
  description:
    'Send a message from the calling agent\'s own number or address. channel "sms": `to` is an E.164 number, ' +
    '`body` up to 1600 characters. The message is stored before the provider is called; the result has its ' +
    'id, the provider\'s id and status (later delivery updates show in comms_get_messages). Pass an ' +
    'idempotencyKey to make retries safe: a repeat with the same key returns the first result and sends nothing.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'to', 'body'],
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent to send as.' },
      channel: { type: 'string', enum: ['sms'], description: 'The channel to send on.' },
      to: { type: 'string', minLength: 1, maxLength: 320, description: 'Recipient: E.164 number for sms, e.g. +15550100123.' },
      body: { type: 'string', minLength: 1, maxLength: SMS_MAX_LENGTH, description: 'Message text.' },
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 255, description: 'Client-chosen key that makes a retry return the first result instead of sending again.' },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['messageId', 'channel', 'from', 'to', 'status', 'providerMessageId', 'idempotentReplay'],
    properties: {
      messageId: { type: 'string' },
      channel: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      status: { type: 'string' },
      providerMessageId: { type: ['string', 'null'] },
      idempotentReplay: { type: 'boolean' },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  auth: 'agent',
  rest: { method: 'POST', path: '/messages', successStatus: 201 },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const to = requireE164(input.to.trim(), 'to');
    if (input.body.trim() === '') {
      throw new DomainError('INVALID_INPUT', 'body must not be empty.', 'Write the text of the message in body.', { field: 'body' });
    }
    const channel = await ctx.ports.db.agents.findChannel(agent.id, input.channel);
    if (!channel) {
      throw new DomainError(
        'CHANNEL_NOT_CONFIGURED',
        `Agent ${agent.id} has no ${input.channel} number.`,
        'Give the agent a number first (agentos-comms agent create --phone …).',
        { channel: input.channel },
      );
    }
    const message = newOutboundMessage(ctx, agent, channel.address, to, input);
    const outcome = await ctx.ports.db.messages.insertOutbound(message);
    if (!outcome.inserted) return replay(ctx, outcome.message, message.requestHash);
    return deliver(ctx, outcome.message);
  },
});

function newOutboundMessage(
  ctx: UseCaseContext, agent: AgentRecord, from: string, to: string, input: SendMessageInput,
): MessageRecord {
  const now = ctx.ports.clock.now();
  const key = input.idempotencyKey ?? null;
  return {
    id: ctx.ports.ids.next('msg'),
    agentId: agent.id,
    channel: input.channel,
    direction: 'outbound',
    from,
    to,
    body: input.body,
    status: 'pending',
    provider: requireTelephony(ctx.ports).id,
    providerMessageId: null,
    idempotencyKey: key,
    requestHash: key === null ? null : ctx.ports.secrets.fingerprint(JSON.stringify([input.channel, to, input.body])),
    errorCode: null,
    errorMessage: null,
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
}

/** A repeat of an idempotency key: answer with what the first call produced, sending nothing new. */
async function replay(ctx: UseCaseContext, stored: MessageRecord, requestHash: string | null): Promise<SendMessageOutput> {
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
      const claimed = await ctx.ports.db.messages.changeStatus(
        stored.id, { status: 'pending', errorCode: null, errorMessage: null, updatedAt: ctx.ports.clock.now() }, ['failed'],
      );
      if (claimed) return deliver(ctx, { ...stored, status: 'pending' });
    }
    throw new DomainError(
      asErrorCode(stored.errorCode),
      stored.errorMessage ?? 'The first attempt with this idempotencyKey failed.',
      'The first attempt failed permanently; fix the cause and send with a new idempotencyKey.',
      { messageId: stored.id },
    );
  }
  return toOutput(stored, true);
}

/** Hands a stored `pending` message to the provider and records the outcome either way. */
async function deliver(ctx: UseCaseContext, message: MessageRecord): Promise<SendMessageOutput> {
  const { db, clock, settings } = ctx.ports;
  const telephony = requireTelephony(ctx.ports);
  let result;
  try {
    result = await telephony.port.sendSms({
      from: message.from,
      to: message.to,
      body: message.body,
      statusCallbackUrl: `${settings.publicBaseUrl}/webhooks/${encodeURIComponent(message.agentId)}/sms/status`,
      reference: message.id,
    });
  } catch (err) {
    const error = isDomainError(err)
      ? err
      : new DomainError('INTERNAL', 'The telephony adapter failed unexpectedly.', 'Retry later; if it persists, check the server logs.');
    if (!isDomainError(err)) ctx.ports.logger.error({ err, messageId: message.id }, 'telephony adapter threw a non-domain error');
    await db.messages.changeStatus(
      message.id,
      { status: 'failed', errorCode: error.code, errorMessage: error.message, updatedAt: clock.now() },
      ['pending'],
    );
    throw new DomainError(error.code, error.message, error.nextStep, { ...error.details, messageId: message.id });
  }
  const change = { status: result.status, providerMessageId: result.providerMessageId, updatedAt: clock.now() };
  const applied = await db.messages.changeStatus(message.id, change, ['pending', ...predecessorsOf(result.status)]);
  if (!applied) {
    // A pushed status event overtook this answer: keep its (later) status, record the provider id.
    const current = await db.messages.findById(message.id);
    if (current) {
      await db.messages.changeStatus(message.id, { ...change, status: current.status }, [current.status]);
      return toOutput({ ...current, providerMessageId: result.providerMessageId }, false);
    }
  }
  return toOutput({ ...message, status: result.status, providerMessageId: result.providerMessageId }, false);
}

function toOutput(m: MessageRecord, idempotentReplay: boolean): SendMessageOutput {
  return {
    messageId: m.id,
    channel: m.channel,
    from: m.from,
    to: m.to,
    status: m.status,
    providerMessageId: m.providerMessageId,
    idempotentReplay,
  };
}

import { DomainError } from '../../ports/errors.js';
import { CHANNELS, type Channel } from '../../ports/records.js';
import { actingAgent, ownChannel } from '../auth/authenticate.js';
import { requireOperator } from '../auth/tenancy.js';
import type { CorePorts, UseCaseContext } from '../context.js';
import { requireEmailAddresses } from '../email-address.js';
import { storeInbound } from '../messages/inbound/store-inbound.js';
import { MESSAGE_UNTRUSTED, type MessageView, messageViewSchema, toMessageView } from '../messages/message-view.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';

export interface DemoInboundInput {
  agentId: string;
  channel: Channel;
  from: string;
  body: string;
  subject?: string;
}

/** The built-in demo adapter's plugin id: a channel on it is in demo mode. */
export const DEMO_PROVIDER = 'mock';

const PORT_OF: Readonly<Record<Channel, 'telephony' | 'email' | 'whatsapp'>> = { sms: 'telephony', email: 'email', whatsapp: 'whatsapp' };

/** True when at least one messaging channel runs on the demo adapter (the demo tools are then offered). */
export function inDemoMode(ports: Pick<CorePorts, 'telephony' | 'email' | 'whatsapp'>): boolean {
  return CHANNELS.some((channel) => ports[PORT_OF[channel]]?.id === DEMO_PROVIDER);
}

function demoChannel(ctx: UseCaseContext, channel: Channel): void {
  const adapter = ctx.ports[PORT_OF[channel]];
  if (adapter?.id !== DEMO_PROVIDER) {
    throw new DomainError(
      'CHANNEL_NOT_CONFIGURED',
      `The ${channel} channel is not in demo mode${adapter ? ` (it uses ${adapter.id})` : ''}: only a person can write to the agent.`,
      `Send a real message to the agent's address, or use the demo adapter (${PORT_OF[channel]}: { use: mock }).`,
      { channel },
    );
  }
}

export const demoInbound = defineUseCase<DemoInboundInput, MessageView>({
  name: 'comms_demo_inbound',
  title: 'Demo: a person writes to the agent',
  description:
    'Admin only, demo mode only (the channel uses the demo adapter). Make a person "reply": the message is stored ' +
    'as received by the agent, forwarded to its callback URL like any inbound message, and on WhatsApp it opens ' +
    'the 24-hour window so the agent may answer freely.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'channel', 'from', 'body'],
    properties: {
      agentId: { type: 'string', minLength: 1 },
      channel: { type: 'string', enum: [...CHANNELS] },
      from: { type: 'string', minLength: 1, maxLength: 320, description: 'The person: a phone number (sms, whatsapp) or an email address.' },
      body: { type: 'string', minLength: 1, maxLength: 10_000 },
      subject: { type: 'string', maxLength: 998, description: 'email only' },
    },
  },
  output: messageViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  toolset: 'demo',
  untrusted: MESSAGE_UNTRUSTED,
  rest: { method: 'POST', path: '/demo/inbound', successStatus: 201 },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_demo_inbound');
    demoChannel(ctx, input.channel);
    const agent = await actingAgent(ctx, input.agentId);
    const own = await ownChannel(ctx, agent.id, input.channel);
    if (!own) {
      throw new DomainError(
        'CHANNEL_NOT_CONFIGURED',
        `Agent ${agent.id} has no ${input.channel} address to write to.`,
        `Give it one first: agentos-comms agent update ${agent.id} --${input.channel === 'sms' ? 'phone' : input.channel} …`,
        { channel: input.channel },
      );
    }
    const email = input.channel === 'email';
    const from = email ? requireEmailAddresses([input.from], 'from')[0]! : requireE164(ctx.ports.phoneNumbers, input.from, 'from');
    const message = await storeInbound(ctx.ports, agent, {
      channel: input.channel,
      provider: DEMO_PROVIDER,
      providerMessageId: ctx.ports.ids.next('DEMO'),
      from,
      to: own.address,
      body: input.body,
      metadata: email ? { subject: input.subject ?? '', cc: [], attachments: [] } : {},
    });
    return toMessageView(message);
  },
});

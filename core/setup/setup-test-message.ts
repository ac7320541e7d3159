import { DomainError } from '../../ports/errors.js';
import { sendMessage } from '../messages/send-message.js';
import { defineUseCase } from '../use-case.js';
import { asOperator, firstAgentId, openSetup } from './setup-access.js';
import { setupStatus, setupStatusSchema, type SetupStatus } from './setup-status.js';

interface TestMessageInput {
  channel?: 'sms' | 'email' | 'whatsapp';
  to: string;
  body?: string;
}

const DEFAULT_BODY = 'AgentOS Comms test message: setup works.';

export const sendTestMessage = defineUseCase<TestMessageInput, { messageId: string; status: string }>({
  name: 'comms_setup_send_test_message',
  title: 'Send the setup test message',
  description:
    'Setup step: the first agent sends one message (default sms) to `to`, through the whole send path (policy, limits, provider). ' +
    'Whether it arrived shows in comms_get_setup_status (testMessage.arrived) once the provider reports delivery; the demo adapter does at once.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['to'],
    properties: {
      channel: { type: 'string', enum: ['sms', 'email', 'whatsapp'], default: 'sms' },
      to: { type: 'string', minLength: 3, maxLength: 320, description: 'Your own phone number or email address.' },
      body: { type: 'string', minLength: 1, maxLength: 480 },
    },
  },
  output: {
    type: 'object', additionalProperties: false, required: ['messageId', 'status'],
    properties: { messageId: { type: 'string' }, status: { type: 'string' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/test-message', successStatus: 201 },
  async run(ctx, input) {
    const agentId = firstAgentId(await openSetup(ctx));
    const channel = input.channel ?? 'sms';
    const body = input.body ?? DEFAULT_BODY;
    const content = channel === 'email' ? { subject: 'AgentOS Comms test message', text: body } : { body };
    const sent = await sendMessage.run(asOperator(ctx), { agentId, channel, to: input.to, ...content });
    await ctx.ports.setup.store.write({ progress: { testMessageId: sent.messageId } });
    return { messageId: sent.messageId, status: sent.status };
  },
});

export const completeSetup = defineUseCase<Record<string, never>, SetupStatus>({
  name: 'comms_setup_complete',
  title: 'Mark setup done',
  description:
    'Setup step: mark setup done once the first agent exists. The setup tools answer only the admin token, ' +
    'before and after. Returns the final status.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: setupStatusSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/complete' },
  async run(ctx) {
    const record = await openSetup(ctx);
    const agentId = firstAgentId(record);
    if (!(await ctx.ports.db.agents.findById(agentId))) {
      throw new DomainError('NOT_FOUND', `Setup's agent ${agentId} no longer exists.`, 'Create the first agent again (comms_setup_create_agent).', { agentId });
    }
    const completedAt = record.progress.completedAt ?? ctx.ports.clock.now().toISOString();
    return setupStatus(ctx, await ctx.ports.setup.store.write({ progress: { completedAt } }));
  },
});

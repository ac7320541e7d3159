import type { Purpose } from '../../ports/compliance.js';
import { DomainError } from '../../ports/errors.js';
import { purposeSchema } from '../compliance/purpose-schema.js';
import { actingAgent } from '../auth/authenticate.js';
import { requirePort } from '../context.js';
import { callingFrom, checkCall, newOutboundCall, placeCall } from '../calls/place-call.js';
import { conversationCalls } from '../calls/telephony-calls.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';
import { CALL_UNTRUSTED, type CallView, placedCallSchema, toCallView } from '../calls/call-view.js';
import type { UsageEstimate } from '../policy/pre-send-policy.js';
import { conversationSettings, voiceTransport } from './conversation-settings.js';
import { requireSpeechPipeline } from './speech-pipeline.js';
import { requireRecording } from '../calls/call-recording.js';
import { answerUrl, detectsMachine } from '../calls/machine-detection.js';
import { callLocalAgent } from './agent-to-agent.js';

export interface MakeCallInput {
  agentId?: string;
  to: string;
  /** What the call is for and how to behave: given to the brain with the agent's own instructions. */
  purpose: string;
  /** The first sentence, spoken as soon as the person answers. */
  firstSentence?: string;
  /** Record the call (default: the agent's `voice.record`). */
  record?: boolean;
  /** Detect an answering machine first (default: the agent's, else the server's `voice.machineDetection`). */
  detectMachine?: boolean;
  /** Compliance purpose of the call (`purpose` is the brain's brief): `transactional` unless `marketing`. */
  category?: Purpose;
}

export const makeCall = defineUseCase<MakeCallInput, CallView & { usage: UsageEstimate | null }>({
  name: 'comms_make_call',
  title: 'Make an AI phone call',
  description:
    'Call a number and hold a live conversation: the brain answers each turn with `purpose` as its brief (another ' +
    'agent of this server talks directly). Returns the call at once: follow it and its transcript with ' +
    'comms_get_call. Costs money per minute (the result states units and estimated price); held to call rate ' +
    'limits, per-contact limits and spending caps.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'purpose'],
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
      to: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164 number.' },
      purpose: { type: 'string', minLength: 1, maxLength: 4000, description: 'Instructions for this call.' },
      firstSentence: { type: 'string', minLength: 1, maxLength: 500 },
      detectMachine: { type: 'boolean', description: 'Start once a person speaks; a machine gets a voicemail or a hang-up (the agent\'s onMachine). Result: metadata.answeredBy.' },
      record: { type: 'boolean', description: 'Default: the agent\'s setting. comms_get_call gives the recording\'s link.' },
      category: purposeSchema,
    },
  },
  output: placedCallSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  confirmation: { byDefault: false, target: 'to' },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: CALL_UNTRUSTED,
  rest: { method: 'POST', path: '/calls', successStatus: 201 },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const to = requireE164(ctx.ports.phoneNumbers, input.to, 'to');
    if (input.purpose.trim() === '') throw new DomainError('INVALID_INPUT', 'purpose must not be empty.', 'Say what the call is for.', { field: 'purpose' });
    requirePort(ctx.ports, 'brain');
    // Another agent of this server: the two are joined here, without a phone network in between.
    const peer = await ctx.ports.db.agents.findChannelByAddress('sms', to);
    if (peer && peer.agentId !== agent.id) return { ...toCallView(await callLocalAgent(ctx.ports, agent, peer.agentId, to, input)), usage: null };
    requireSpeechPipeline(ctx.ports, voiceTransport(ctx.ports, agent));
    const record = input.record ?? agent.voice.record ?? false;
    if (record) requireRecording(ctx.ports);
    const { telephony, from } = await callingFrom(ctx.ports, agent.id);
    const calls = conversationCalls(telephony);
    const admission = await checkCall(ctx, agent, { provider: telephony.id, from, to, purpose: input.category, content: input.firstSentence ?? '' });
    const detectMachine = detectsMachine(ctx.ports, calls, agent, input.detectMachine);
    const call = newOutboundCall(ctx.ports, {
      agentId: agent.id, provider: telephony.id, from, to,
      metadata: { kind: 'conversation', instructions: input.purpose, firstSentence: input.firstSentence ?? null, record, detectMachine },
    });
    const script = { kind: 'converse' as const, conversation: conversationSettings(ctx.ports, agent, call, input.firstSentence ?? null) };
    const placed = await placeCall(ctx.ports, calls, call, script, admission, { requestId: ctx.requestId, ...(detectMachine ? { machineDetection: { answerUrl: answerUrl(ctx.ports, call) } } : {}) });
    return { ...toCallView(placed), usage: admission.estimate };
  },
});

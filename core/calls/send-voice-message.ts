import type { Purpose } from '../../ports/compliance.js';
import { DomainError } from '../../ports/errors.js';
import { purposeSchema } from '../compliance/purpose-schema.js';
import type { AudioFormat } from '../../ports/tts.js';
import { actingAgent } from '../auth/authenticate.js';
import { requirePort, type UseCaseContext } from '../context.js';
import { callingFrom, checkCall, newOutboundCall, placeCall } from './place-call.js';
import type { UsageEstimate } from '../policy/pre-send-policy.js';
import { priceLine } from '../usage/pricing.js';
import { answerUrl, detectsMachine } from './machine-detection.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';
import { CALL_UNTRUSTED, type CallView, placedCallSchema, toCallView } from './call-view.js';
import { agentFileKey } from '../agent-files.js';

export interface SendVoiceMessageInput {
  agentId?: string;
  to: string;
  text: string;
  voice?: string;
  /** How many times the message is played once answered. */
  repeat?: number;
  /** Sent by SMS if the call is not answered (busy, no answer, failed). */
  smsFallback?: string;
  /** Detect an answering machine and play the message after its beep (default: the agent's, else the server's setting). */
  detectMachine?: boolean;
  purpose?: Purpose;
}

const MAX_TEXT = 3000;
/** Long enough for the provider to queue, ring and fetch; short enough that a leaked URL soon dies. */
const AUDIO_URL_TTL_SECONDS = 2 * 60 * 60;
/** Formats `<Play>` accepts, in order of preference. */
const PLAYABLE: readonly AudioFormat[] = ['mp3', 'wav'];
const EXTENSION: Readonly<Record<AudioFormat, string>> = { mp3: 'mp3', wav: 'wav', ulaw_8000: 'ulaw' };

export const sendVoiceMessage = defineUseCase<SendVoiceMessageInput, CallView & { usage: UsageEstimate | null }>({
  name: 'comms_send_voice_message',
  title: 'Leave a voice message',
  description:
    'Call a number and speak `text` (text-to-speech) when answered, `repeat` times; `smsFallback` goes by SMS if ' +
    'nobody answers. Returns the call at once: follow it with comms_get_call. Costs money per character and minute ' +
    '(the result states units and estimated price); held to call rate limits, per-contact limits and spending caps.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'text'],
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent to call as.' },
      to: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164 number.' },
      text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, description: 'What to say.' },
      voice: { type: 'string', minLength: 1, maxLength: 200, description: 'TTS voice id (default: the provider\'s).' },
      repeat: { type: 'integer', minimum: 1, maximum: 3, default: 1 },
      smsFallback: { type: 'string', minLength: 1, maxLength: 320, },
      detectMachine: { type: 'boolean', description: 'Leave the message after an answering machine\'s beep (result: metadata.answeredBy).' },
      purpose: purposeSchema,
    },
  },
  output: placedCallSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: CALL_UNTRUSTED,
  rest: { method: 'POST', path: '/calls/voice-message', successStatus: 201 },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const to = requireE164(ctx.ports.phoneNumbers, input.to, 'to');
    const text = input.text.trim();
    if (text === '') throw new DomainError('INVALID_INPUT', 'text must not be empty.', 'Write what the message should say.', { field: 'text' });
    const { telephony, calls, from } = await callingFrom(ctx.ports, agent.id);
    const tts = requirePort(ctx.ports, 'tts');
    const speech = priceLine(ctx.ports.settings.usage, { channel: 'voice', action: 'tts', units: text.length, unit: 'character', provider: tts.id, to: null });
    // Limits before anything that costs money, speech included.
    const admission = await checkCall(ctx, agent, { provider: telephony.id, from, to, purpose: input.purpose, content: text }, [speech]);
    const detectMachine = detectsMachine(ctx.ports, calls, agent, input.detectMachine);

    // Speech and storage first: if either fails, nothing is stored and no call is placed.
    const callId = ctx.ports.ids.next('call');
    const { url, key } = await synthesizeAndStore(ctx, agent.id, callId, text, input.voice);
    const call = newOutboundCall(ctx.ports, {
      id: callId, agentId: agent.id, provider: telephony.id, from, to, audioUrl: url, audioKey: key,
      metadata: {
        kind: 'voice-message', text, voice: input.voice ?? null, repeat: input.repeat ?? 1, ...(input.smsFallback ? { smsFallback: input.smsFallback } : {}),
        ...(detectMachine ? { detectMachine } : {}),
      },
    });
    const script = { kind: 'play' as const, audioUrls: [url], loop: input.repeat ?? 1 };
    const placed = await placeCall(ctx.ports, calls, call, script, admission, { requestId: ctx.requestId, ...(detectMachine ? { machineDetection: { answerUrl: answerUrl(ctx.ports, call) } } : {}) });
    return { ...toCallView(placed), usage: admission.estimate };
  },
});

async function synthesizeAndStore(ctx: UseCaseContext, agentId: string, callId: string, text: string, voice: string | undefined): Promise<{ url: string; key: string }> {
  const tts = requirePort(ctx.ports, 'tts');
  const storage = requirePort(ctx.ports, 'storage');
  const format = PLAYABLE.find((f) => tts.port.capabilities.formats.includes(f));
  if (!format) throw new DomainError('CHANNEL_NOT_CONFIGURED', `The ${tts.id} TTS adapter produces no format a call can play (mp3, wav).`, 'Configure another TTS adapter.', { port: 'tts' });
  if (text.length > tts.port.capabilities.maxTextLength) {
    throw new DomainError('INVALID_INPUT', `text is longer than the ${tts.port.capabilities.maxTextLength} characters ${tts.id} accepts.`, 'Shorten the message.', { field: 'text' });
  }
  const audio = await tts.port.synthesize({ text, voice, format, requestId: ctx.requestId });
  const key = agentFileKey(agentId, `voice/${callId}.${EXTENSION[audio.format]}`);
  await storage.port.put(key, audio.audio, audio.contentType);
  return { url: await storage.port.signedUrl(key, AUDIO_URL_TTL_SECONDS), key };
}

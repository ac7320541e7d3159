import type { AnsweredBy, AnswerScript, TelephonyCalls } from '../../ports/calls.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { AgentRecord, CallLogRecord } from '../../ports/records.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { CorePorts } from '../context.js';
import { conversationInstructions, conversationSettings } from '../conversation/conversation-settings.js';
import { invalidSignature, requireAgent } from '../messages/inbound/store-inbound.js';
import { telephonySigner } from '../customers/webhook-account.js';
import { updateCall } from './update-call.js';

/** How long the brain may take to word a voicemail: the provider waits for the answer (Twilio: 15 s). */
const VOICEMAIL_DEADLINE_MS = 8_000;
const VOICEMAIL_PROMPT =
  'You reached an answering machine, and its greeting is over. Leave one short voicemail (two or three spoken ' +
  'sentences): who is calling and why, and how to get back to you. Do not ask questions.';

/** Whether this outbound call should detect a machine: the call's wish, else the agent's, else the server's; and the adapter can. */
export function detectsMachine(ports: CorePorts, calls: TelephonyCalls, agent: AgentRecord, requested: boolean | undefined): boolean {
  const wanted = requested ?? agent.voice.machineDetection ?? ports.settings.voice.machineDetection;
  if (wanted && !calls.parseAnsweredCall && !calls.continueAnsweredCall) {
    if (requested) {
      throw new DomainError('CHANNEL_NOT_CONFIGURED', `The ${ports.telephony?.id ?? 'telephony'} adapter cannot detect answering machines.`, 'Call without detectMachine.', { port: 'telephony' });
    }
    return false;
  }
  return wanted;
}

/** The provider's answer URL of a call placed with machine detection. */
export function answerUrl(ports: CorePorts, call: CallLogRecord): string {
  return `${ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(call.agentId)}/voice/answer?callId=${encodeURIComponent(call.id)}`;
}

/**
 * Detection is done and the provider asks what to do: the result goes into the call's record, then a voice
 * message plays (after the beep, when a machine took it), a live conversation starts with a person, and a
 * machine gets a voicemail worded by the brain from the call's purpose, or a hang-up (the agent's setting).
 */
export async function receiveCallAnswer(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = await telephonySigner(ports, agentId, request);
  const calls = telephony.port.calls;
  if (!calls?.parseAnsweredCall || !calls.answerCall) throw invalidSignature();
  const answered = calls.parseAnsweredCall(request);
  const callId = new URL(request.url).searchParams.get('callId') ?? '';
  const found = await ports.db.calls.findById(callId);
  if (!found || found.agentId !== agentId || (found.providerCallId !== null && found.providerCallId !== answered.providerCallId)) {
    ports.logger.warn({ agentId }, 'answer webhook for an unknown call: hanging up');
    return calls.answerCall({ kind: 'hangup' });
  }
  const call = (await updateCall(ports, found.id, (current) => ({
    metadata: { ...current.metadata, answeredBy: answered.answeredBy },
    providerCallId: current.providerCallId ?? answered.providerCallId,
  }))) ?? found;
  return calls.answerCall(await scriptFor(ports, call, answered.answeredBy));
}

/**
 * Detection reported as a call event (Vonage): the same result in the call's record and the same script, given to
 * the waiting call through the provider's API. Only the first result counts (a redelivered event changes nothing).
 */
export async function continueDetectedCall(ports: CorePorts, calls: TelephonyCalls, found: CallLogRecord, answeredBy: AnsweredBy): Promise<void> {
  if (!calls.continueAnsweredCall || found.direction !== 'outbound' || typeof found.metadata.answeredBy === 'string' || !found.providerCallId) return;
  const call = (await updateCall(ports, found.id, (current) => ({ metadata: { ...current.metadata, answeredBy } }))) ?? found;
  await calls.continueAnsweredCall(found.providerCallId, await scriptFor(ports, call, answeredBy));
}

async function scriptFor(ports: CorePorts, call: CallLogRecord, answeredBy: AnsweredBy): Promise<AnswerScript> {
  if (answeredBy === 'fax') return { kind: 'hangup' };
  if (call.metadata.kind === 'voice-message') {
    if (!call.audioUrl) return { kind: 'hangup' };
    const repeat = typeof call.metadata.repeat === 'number' ? call.metadata.repeat : 1;
    return { kind: 'play', audioUrls: [call.audioUrl], loop: repeat };
  }
  const agent = await requireAgent(ports, call.agentId);
  const firstSentence = typeof call.metadata.firstSentence === 'string' ? call.metadata.firstSentence : null;
  const settings = conversationSettings(ports, agent, call, firstSentence);
  if (answeredBy !== 'machine') return { kind: 'converse', conversation: settings };
  if ((agent.voice.onMachine ?? ports.settings.voice.onMachine) === 'hangup') return { kind: 'hangup' };
  const text = await voicemailText(ports, agent, call);
  await ports.db.turns.append({ id: ports.ids.next('turn'), callId: call.id, seq: 1, speaker: 'agent', text, interrupted: false, createdAt: ports.clock.now(), latency: null });
  return { kind: 'say', text, ...(settings.language ? { language: settings.language } : {}) };
}

/** The voicemail, worded by the brain from the call's purpose; a plain one when the brain fails or is slow. */
async function voicemailText(ports: CorePorts, agent: AgentRecord, call: CallLogRecord): Promise<string> {
  const fallback = `Hello, this is ${agent.name}. Sorry we missed you; please call us back at this number.`;
  const brain = ports.brain;
  if (!brain) return fallback;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), VOICEMAIL_DEADLINE_MS);
  try {
    let text = '';
    const stream = brain.port.reply({
      instructions: `${conversationInstructions(ports, agent, call)}\n\n${VOICEMAIL_PROMPT}`,
      history: [], callId: call.id, agentId: agent.id,
      agentEndpoint: agent.callbackUrl ? { url: agent.callbackUrl, secret: agent.callbackSecret } : null,
      signal: controller.signal,
    });
    for await (const token of stream) text += token;
    return controller.signal.aborted || text.trim() === '' ? fallback : text.trim();
  } catch (err) {
    ports.logger.warn({ callId: call.id, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'voicemail not worded by the brain; a plain one is left');
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}

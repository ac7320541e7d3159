import { DomainError, isDomainError } from '../../ports/errors.js';
import type { Channel } from '../../ports/records.js';
import type { ScenarioSummary } from '../../ports/scenarios.js';
import type { ScenarioContact } from './scenario-contact.js';
import { until, type StepLog } from './scenario-steps.js';

/** The scenario agent, acting through the same use cases its MCP tools call. */
export interface ScenarioAgent {
  id: string;
  call<T>(tool: string, input: Record<string, unknown>): Promise<T>;
}

export interface Scenario extends ScenarioSummary {
  run(log: StepLog, agent: ScenarioAgent, contact: ScenarioContact): Promise<void>;
}

interface Sent { messageId: string; providerMessageId: string | null; status: string }
interface Waited { messages: Array<{ id: string; channel: string; from: string }>; timedOut: boolean }
interface CallView {
  callId: string;
  status: string;
  providerCallId: string | null;
  durationSeconds: number | null;
  history: Array<{ status: string }>;
  metadata: Record<string, unknown>;
  transcript: Array<{ speaker: string; interrupted: boolean }>;
}

/** A WhatsApp Content template id of the shape Twilio gives approved templates (HX + 32 hex digits). */
export const SCENARIO_TEMPLATE_ID = `HX${'5c'.repeat(16)}`;
const ATTACHMENT = { filename: 'agenda.txt', contentType: 'text/plain', text: 'Agenda: 10:00 check-in, 10:15 demo.' };
/** The contact's question in the barge-in step: it talks over the answer once the first words arrive. */
const LONG_QUESTION = 'Could you read me every opening hour for the whole week?';

function requireProviderId(sent: { providerMessageId: string | null }): string {
  if (sent.providerMessageId) return sent.providerMessageId;
  throw new DomainError('SCENARIO_CHECK_FAILED', 'The provider gave the message no id.', 'Check the message status with comms_get_messages.');
}

/** Sends, then the contact receives it: the two steps every messaging scenario starts with. */
async function sendAndReceive(log: StepLog, agent: ScenarioAgent, contact: ScenarioContact, channel: Channel, input: Record<string, unknown>, what: string) {
  const sent = await log.step(`agent sends ${what}`, async () => {
    const value = await agent.call<Sent>('comms_send_message', { channel, ...input });
    return { value, detail: `message ${value.messageId} ${value.status}` };
  });
  const received = await log.step(`contact receives ${what}`, async () => {
    const value = await contact.received(channel, requireProviderId(sent));
    const extras = [value.attachments.length > 0 ? `attachments: ${value.attachments.join(', ')}` : '', value.templateId ? `template ${value.templateId}` : ''].filter(Boolean);
    return { value, detail: `provider message ${sent.providerMessageId} arrived${extras.length > 0 ? ` (${extras.join('; ')})` : ''}` };
  });
  return { sent, received };
}

/** The contact answers, and the agent sees the answer the way an agent waits for one: after the message it sent. */
async function replyAndWait(log: StepLog, agent: ScenarioAgent, contact: ScenarioContact, sent: Sent, channel: Channel, from: string, body: string, subject?: string): Promise<void> {
  await log.step('contact replies', async () => {
    await contact.reply(agent.id, channel, from, body, subject);
    return { value: undefined, detail: `a ${channel} reply sent through the provider` };
  });
  await log.step('agent gets the reply', async () => {
    const waited = await agent.call<Waited>('comms_wait_for_message', { channel, contact: from, after: sent.messageId, timeoutSeconds: 10 });
    const message = waited.messages[0];
    if (!message) throw new DomainError('PROVIDER_TIMEOUT', `No ${channel} reply reached the agent within 10 s.`, 'Check the inbound webhook of the provider side and the server log.');
    return { value: undefined, detail: `inbound message ${message.id} stored for the agent` };
  });
}

/** Polls the call as the agent sees it until `accept` is satisfied. */
async function callWhere(agent: ScenarioAgent, callId: string, accept: (call: CallView) => boolean, what: string, timeoutMs = 15_000): Promise<CallView> {
  return until(what, async () => {
    const call = await agent.call<CallView>('comms_get_call', { callId });
    return accept(call) ? call : undefined;
  }, timeoutMs);
}

const smsReply: Scenario = {
  name: 'sms-reply',
  title: 'An agent texts a contact and gets a reply',
  channels: ['sms'],
  async run(log, agent, contact) {
    const { person } = contact.addresses;
    const { sent } = await sendAndReceive(log, agent, contact, 'sms', { to: person.phone, body: 'Hi, this is the demo agent. Does Tuesday at 10 suit you?' }, 'a text');
    await replyAndWait(log, agent, contact, sent, 'sms', person.phone, 'Tuesday works, thanks!');
  },
};

const emailAttachment: Scenario = {
  name: 'email-attachment',
  title: 'An agent emails a contact with an attachment and gets a reply',
  channels: ['email'],
  async run(log, agent, contact) {
    const { person } = contact.addresses;
    const { sent, received } = await sendAndReceive(log, agent, contact, 'email', {
      to: person.email,
      subject: 'Your agenda',
      text: 'The agenda is attached.',
      attachments: [{ filename: ATTACHMENT.filename, contentType: ATTACHMENT.contentType, contentBase64: Buffer.from(ATTACHMENT.text).toString('base64') }],
    }, 'an email with an attachment');
    await log.step('attachment arrived intact', async () => {
      if (!received.attachments.includes(ATTACHMENT.filename)) {
        throw new DomainError('SCENARIO_CHECK_FAILED', `The email arrived without ${ATTACHMENT.filename}.`, 'Check the email adapter\'s attachment handling.');
      }
      return { value: undefined, detail: `${ATTACHMENT.filename} attached` };
    });
    await replyAndWait(log, agent, contact, sent, 'email', person.email, 'Thanks, see you there.', 'Re: Your agenda');
  },
};

const whatsappTemplate: Scenario = {
  name: 'whatsapp-template',
  title: 'A WhatsApp template, then free text once the contact replied',
  channels: ['whatsapp'],
  async run(log, agent, contact) {
    const to = await log.step('pick a contact who never wrote to the agent', async () => {
      const value = await silentContact(agent, contact.addresses.person.whatsapp);
      return { value, detail: 'its 24-hour window is closed' };
    });
    await log.step('free text is refused before the contact writes', async () => {
      try {
        await agent.call<Sent>('comms_send_message', { channel: 'whatsapp', to, body: 'Hello!' });
      } catch (err) {
        if (isDomainError(err) && err.code === 'TEMPLATE_REQUIRED') return { value: undefined, detail: 'TEMPLATE_REQUIRED, as the 24-hour window is closed' };
        throw err;
      }
      throw new DomainError('SCENARIO_CHECK_FAILED', 'Free text was accepted outside the 24-hour window.', 'The pre-send policy must require a template until the contact writes.');
    });
    const { sent } = await sendAndReceive(log, agent, contact, 'whatsapp', { to, templateId: SCENARIO_TEMPLATE_ID, templateVars: { 1: 'Tuesday 10:00' } }, 'a template');
    await replyAndWait(log, agent, contact, sent, 'whatsapp', to, 'Yes please, confirm it.');
    await sendAndReceive(log, agent, contact, 'whatsapp', { to, body: 'Confirmed: Tuesday at 10:00.' }, 'free text in the open window');
  },
};

/**
 * A WhatsApp number in the contact's reserved block (+1 555 01xx) that never wrote to the agent, starting at
 * `first`: a run again on the same data still starts outside the 24-hour window.
 */
async function silentContact(agent: ScenarioAgent, first: string): Promise<string> {
  const block = first.slice(0, -2);
  const start = Number(first.slice(-2));
  for (let offset = 0; offset < 100; offset += 1) {
    const candidate = `${block}${String((start + offset) % 100).padStart(2, '0')}`;
    const { messages } = await agent.call<{ messages: unknown[] }>('comms_get_messages', { channel: 'whatsapp', direction: 'inbound', contact: candidate, limit: 1 });
    if (messages.length === 0) return candidate;
  }
  throw new DomainError('SCENARIO_CHECK_FAILED', 'Every reserved contact number has already written to the scenario agent.', 'Run the scenario on fresh data (another COMMS_DATA_DIR).');
}

const voiceMessage: Scenario = {
  name: 'voice-message',
  title: 'An agent leaves a voice message',
  channels: ['voice'],
  async run(log, agent, contact) {
    const placed = await log.step('agent sends a voice message', async () => {
      const value = await agent.call<CallView>('comms_send_voice_message', { to: contact.addresses.person.phone, text: 'Hello, this is the demo agent: your appointment is confirmed for Tuesday at ten.' });
      return { value, detail: `call ${value.callId} ${value.status}` };
    });
    await log.step('the call plays and completes', async () => {
      const call = await callWhere(agent, placed.callId, (c) => ['completed', 'failed', 'busy', 'no-answer', 'canceled'].includes(c.status), 'the voice message call to end');
      if (call.status !== 'completed') throw new DomainError('SCENARIO_CHECK_FAILED', `The call ended ${call.status}.`, 'Check the call history with comms_get_call.');
      return { value: undefined, detail: `completed after ${call.durationSeconds ?? 0} s` };
    });
  },
};

const liveCall: Scenario = {
  name: 'live-call',
  title: 'A live call: the contact interrupts the agent, then the agent transfers the call',
  channels: ['voice'],
  async run(log, agent, contact) {
    const placed = await log.step('agent places a live call', async () => {
      const value = await agent.call<CallView>('comms_make_call', { to: contact.addresses.person.phone, purpose: 'Confirm Tuesday at 10:00, then hand over to the front desk.' });
      return { value, detail: `call ${value.callId} ${value.status}` };
    });
    const call = await log.step('contact answers', async () => {
      if (!placed.providerCallId) throw new DomainError('SCENARIO_CHECK_FAILED', 'The provider gave the call no id.', 'Check the call with comms_get_call.');
      const value = await contact.answer(agent.id, { callId: placed.callId, providerCallId: placed.providerCallId });
      return { value, detail: 'the voice socket is connected' };
    });
    try {
      await log.step('agent answers the contact', async () => {
        const reply = await call.say('Hello, who is calling?');
        if (reply.trim() === '') throw new DomainError('SCENARIO_CHECK_FAILED', 'The agent said nothing.', 'Check the brain configuration.');
        return { value: undefined, detail: `a reply of ${reply.split(/\s+/).length} words` };
      });
      await log.step('contact interrupts the agent (barge-in)', async () => {
        const heard = await call.sayAndInterrupt(LONG_QUESTION);
        const view = await callWhere(agent, placed.callId, (c) => c.transcript.some((turn) => turn.interrupted), 'the transcript to mark the interrupted reply', 10_000);
        return { value: undefined, detail: `cut after ${heard.split(/\s+/).filter(Boolean).length} words; ${view.transcript.length} turns in the transcript` };
      });
      await log.step('agent transfers the call', async () => {
        await agent.call<CallView>('comms_transfer_call', { callId: placed.callId, to: contact.addresses.human });
        const dialed = await call.transferredTo();
        if (dialed !== contact.addresses.human) throw new DomainError('SCENARIO_CHECK_FAILED', 'The caller was connected to another number than asked.', 'Check the transfer answer of the voice action webhook.');
        const view = await callWhere(agent, placed.callId, (c) => c.history.some((entry) => entry.status === 'transferred'), 'the call to be recorded as transferred');
        return { value: undefined, detail: `transferred (${view.history.map((entry) => entry.status).join(' > ')})` };
      });
    } finally {
      await call.hangUp();
    }
  },
};

/** In the order they are listed and run. */
export const SCENARIOS: readonly Scenario[] = [smsReply, emailAttachment, whatsappTemplate, voiceMessage, liveCall];

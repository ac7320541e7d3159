import { WebSocket } from 'ws';
import { DEFAULT_MOCK_WEBHOOK_SECRET } from '../../adapters/mock/mock-telephony.js';
import { MOCK_SIGNATURE_HEADER, signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import type { CorePorts } from '../../core/context.js';
import { DomainError } from '../../ports/errors.js';
import type { Channel } from '../../ports/records.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import { DEFAULT_SCENARIO_ADDRESSES, type ContactCall, type ReceivedMessage, type ScenarioContact } from './scenario-contact.js';
import { until } from './scenario-steps.js';

/** What the demo adapters keep of what they "sent" (see adapters/mock): read through the port, whatever wraps it. */
interface DemoSent {
  providerMessageId: string;
  body?: string;
  text?: string;
  attachments?: Array<{ filename: string }>;
  template?: { id: string } | null;
}

const PORT_OF: Readonly<Record<Channel, 'telephony' | 'email' | 'whatsapp'>> = { sms: 'telephony', email: 'email', whatsapp: 'whatsapp' };

/**
 * The contact in demo mode: it reads what the demo adapters "sent", writes back through the demo tool an
 * operator uses (comms_demo_inbound), and picks up live calls as the provider's voice socket would, with
 * demo-signed requests against this server's own public address.
 */
export class DemoContact implements ScenarioContact {
  readonly addresses = DEFAULT_SCENARIO_ADDRESSES;

  constructor(
    private readonly ports: CorePorts,
    private readonly runner: UseCaseRunner,
    /** Key of the demo telephony's webhook signature (its `webhookSecret` option). */
    private readonly telephonySecret: string = DEFAULT_MOCK_WEBHOOK_SECRET,
  ) {}

  async received(channel: Channel, providerMessageId: string): Promise<ReceivedMessage> {
    const adapter = this.ports[PORT_OF[channel]];
    const sent = (adapter?.port as { sent?: DemoSent[] } | undefined)?.sent;
    if (!sent) throw notDemo(channel);
    const message = await until(`${channel} message ${providerMessageId} at the demo provider`, async () => sent.find((m) => m.providerMessageId === providerMessageId));
    return {
      text: message.body ?? message.text ?? '',
      attachments: (message.attachments ?? []).map((attachment) => attachment.filename),
      templateId: message.template?.id ?? null,
    };
  }

  async reply(agentId: string, channel: Channel, from: string, body: string, subject?: string): Promise<void> {
    await this.runner.run('comms_demo_inbound', { kind: 'admin' }, { agentId, channel, from, body, ...(subject ? { subject } : {}) });
  }

  async answer(agentId: string, call: { callId: string; providerCallId: string }): Promise<ContactCall> {
    if (this.ports.telephony?.port.calls === undefined) throw notDemo('voice');
    const base = this.ports.settings.publicBaseUrl;
    const socketUrl = `${base.replace(/^http/, 'ws')}/voice/relay/${encodeURIComponent(call.callId)}`;
    const ws = new WebSocket(socketUrl, { headers: { [MOCK_SIGNATURE_HEADER]: signMockWebhook(this.telephonySecret, socketUrl, '') } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (err) => reject(new DomainError('PROVIDER_UNAVAILABLE', `The voice socket did not open: ${err.message}.`, 'Check that the server listens at its publicBaseUrl.')));
    });
    ws.send(JSON.stringify({ type: 'setup', callSid: call.providerCallId, customParameters: { callId: call.callId } }));
    const actionUrl = `${base}/webhooks/${encodeURIComponent(agentId)}/voice/action`;
    // After the conversation (and the transferred leg, if any) the provider ends the call: the demo provider reports it completed.
    const endCall = async (): Promise<void> => {
      await this.ports.telephony?.port.calls?.hangUp(call.providerCallId);
    };
    return new RelayCaller(ws, (handoffData) => this.postConversationEnd(actionUrl, call.providerCallId, handoffData), endCall);
  }

  /** What the provider does when the socket ends the session: asks the action webhook what next (a dial, on a transfer). */
  private async postConversationEnd(url: string, providerCallId: string, handoffData: string | null): Promise<string> {
    const body = new URLSearchParams({ CallSid: providerCallId, ...(handoffData ? { HandoffData: handoffData } : {}) }).toString();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', [MOCK_SIGNATURE_HEADER]: signMockWebhook(this.telephonySecret, url, body) },
      body,
    });
    if (!res.ok) throw new DomainError('PROVIDER_REJECTED', `The voice action webhook answered HTTP ${res.status}.`, 'Check the server log.');
    return res.text();
  }
}

function notDemo(channel: string): DomainError {
  return new DomainError('CHANNEL_NOT_CONFIGURED', `The ${channel} channel is not on the demo adapter.`, 'Run scenarios in demo mode (use: mock).', { channel });
}

/** The caller's end of a ConversationRelay socket: speaks prompts, collects the agent's streamed replies. */
class RelayCaller implements ContactCall {
  private tokens: string[] = [];
  private onToken: (() => void) | null = null;
  private readonly ended: Promise<string | null>;

  constructor(
    private readonly ws: WebSocket,
    private readonly conversationEnd: (handoffData: string | null) => Promise<string>,
    private readonly endCall: () => Promise<void>,
  ) {
    // A socket error is followed by its close, which ends the call here; without a listener it would crash the process.
    ws.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      ws.on('message', (data) => {
        const message = parseServerMessage(data.toString());
        if (message.type === 'text') {
          this.tokens.push(message.token ?? '');
          if (message.last) this.tokens.push(END_OF_REPLY);
          this.onToken?.();
        } else if (message.type === 'end') {
          resolve(message.handoffData ?? null);
        }
      });
      ws.on('close', () => resolve(null));
    });
  }

  async say(text: string): Promise<string> {
    return (await this.prompt(text, () => false)).join('');
  }

  async sayAndInterrupt(text: string): Promise<string> {
    const heard = (await this.prompt(text, (tokens) => tokens.length >= 3)).join('');
    this.ws.send(JSON.stringify({ type: 'interrupt', utteranceUntilInterrupt: heard }));
    return heard;
  }

  async transferredTo(): Promise<string> {
    const handoffData = await withTimeout(this.ended, 10_000, 'the agent to end the conversation');
    const twiml = await this.conversationEnd(handoffData);
    const dial = /<Dial[^>]*>([^<]+)<\/Dial>/.exec(twiml);
    if (!dial?.[1]) throw new DomainError('SCENARIO_CHECK_FAILED', 'The voice action webhook answered without a dial.', 'Check the transfer handoff of the live call.');
    return dial[1];
  }

  async hangUp(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.endCall();
  }

  /** Sends a prompt; resolves with the reply's tokens once it ends or `enough` says so. */
  private prompt(text: string, enough: (tokens: string[]) => boolean): Promise<string[]> {
    this.tokens = [];
    this.ws.send(JSON.stringify({ type: 'prompt', voicePrompt: text, lang: 'en-US', last: true }));
    return withTimeout(new Promise((resolve) => {
      this.onToken = () => {
        const done = this.tokens.at(-1) === END_OF_REPLY;
        const tokens = this.tokens.filter((token) => token !== END_OF_REPLY);
        if (done || enough(tokens)) {
          this.onToken = null;
          resolve(tokens);
        }
      };
    }), 10_000, 'the agent\'s reply');
  }
}

const END_OF_REPLY = '\u0000end';

interface ServerMessage { type: string; token?: string; last?: boolean; handoffData?: string | null }

/** The server's relay messages; anything else is ignored as a provider would. */
function parseServerMessage(text: string): ServerMessage {
  try {
    return JSON.parse(text) as ServerMessage;
  } catch {
    return { type: 'unknown' };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DomainError('PROVIDER_TIMEOUT', `Gave up after ${ms / 1000} s waiting for ${what}.`, 'Check the server log; then run the scenario again.')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

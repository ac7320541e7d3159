import type { ConversationSettings, IncomingCall } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';

// Demo clients post Twilio's voice webhook fields and get Twilio-shaped TwiML back, so a Twilio-shaped test
// client (or the Twilio simulator's caller) works against demo mode too.

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function required(params: Params, name: string, what: string, fields: string): string {
  const value = field(params, name);
  if (value !== undefined) return value;
  throw new DomainError('INVALID_INPUT', `The demo ${what} webhook has no ${name}.`, `Post a form with ${fields} (the fields Twilio sends).`, {
    missingField: name,
  });
}

export function parseMockIncomingCall(request: WebhookRequest): IncomingCall {
  const { params } = request;
  const fields = 'CallSid, From and To';
  return {
    providerCallId: required(params, 'CallSid', 'incoming call', fields),
    from: required(params, 'From', 'incoming call', fields),
    to: required(params, 'To', 'incoming call', fields),
  };
}

/** Twilio's `<Connect action>` fields: CallSid, and HandoffData when the socket ended the session with handoff data. */
export function parseMockConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
  const { params } = request;
  return {
    providerCallId: required(params, 'CallSid', 'conversation end', 'CallSid and, for a handoff, HandoffData'),
    handoffData: field(params, 'HandoffData') ?? null,
  };
}

function invalidSettings(problem: string): DomainError {
  return new DomainError('INVALID_INPUT', `The conversation settings are invalid: ${problem}.`, 'Set publicBaseUrl to the public address of this server.', {
    provider: 'mock',
  });
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  return URL.canParse(value) && protocols.includes(new URL(value).protocol);
}

/** The same checks a real provider's adapter makes, so demo mode refuses what production would. */
export function checkConversationSettings(settings: ConversationSettings): void {
  if (!hasProtocol(settings.relayUrl, ['wss:', 'ws:'])) throw invalidSettings('the relay URL is not an absolute ws(s):// URL');
  if (!hasProtocol(settings.actionUrl, ['https:', 'http:'])) throw invalidSettings('the action URL is not an absolute http(s) URL');
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

function attributes(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}

function twiml(inner: string): WebhookReply {
  return { contentType: 'text/xml', body: `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>` };
}

export function mockConversationReply(settings: ConversationSettings): WebhookReply {
  checkConversationSettings(settings);
  const parameterList = Object.entries(settings.parameters ?? {}).map(([name, value]) => `<Parameter${attributes({ name, value })}/>`).join('');
  if (settings.transport === 'media-stream') {
    return twiml(`<Connect${attributes({ action: settings.actionUrl })}><Stream${attributes({ url: settings.relayUrl })}>${parameterList}</Stream></Connect>`);
  }
  const relay = attributes({
    url: settings.relayUrl,
    // An empty greeting or voice means none, as in the Twilio adapter.
    welcomeGreeting: settings.welcomeGreeting || undefined,
    voice: settings.voice || undefined,
    language: settings.language || undefined,
    interruptible: settings.interruptible ? 'speech' : 'none',
    dtmfDetection: 'true',
  });
  return twiml(`<Connect${attributes({ action: settings.actionUrl })}><ConversationRelay${relay}>${parameterList}</ConversationRelay></Connect>`);
}

export function mockTransferReply(to: string, callerId: string): WebhookReply {
  return twiml(`<Dial${attributes({ callerId })}>${escapeXml(to)}</Dial>`);
}

export function mockHangupReply(): WebhookReply {
  return twiml('<Hangup/>');
}

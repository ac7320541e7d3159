import { inboundSmsForm } from './inbound-sms-form.js';
import { signTwilioWebhook, type SignatureMode, type SignedWebhook } from './twilio-webhook-signing.js';
import { openWhatsAppWindow, type SimulatorHandle } from './whatsapp-window.js';

export interface InboundWhatsAppInput {
  /** The URL configured on the WhatsApp sender (the exact string that gets signed). */
  url: string;
  /** E.164 numbers, without the `whatsapp:` prefix (added here, as Twilio writes them). */
  from: string;
  to: string;
  body: string;
  mediaUrls?: string[];
  /** The contact's WhatsApp profile name. */
  profileName?: string;
  /** Default 'valid'. */
  signature?: SignatureMode;
}

/** What the simulator needs of a TwilioSimulator to speak for its account. */
export interface SimulatorAccount extends SimulatorHandle {
  readonly accountSid: string;
  readonly authToken: string;
}

/** WhatsApp's MessageType from the first attachment's content type. */
function messageType(contentType: string | undefined): string {
  if (contentType === undefined) return 'text';
  const kind = contentType.split('/')[0];
  return kind === 'image' || kind === 'video' || kind === 'audio' ? kind : 'document';
}

/**
 * A signed inbound WhatsApp webhook, built but not sent: the inbound SMS form with `whatsapp:` addresses, plus
 * what WhatsApp adds (ProfileName, WaId, MessageType) and without the SMS-only FromCountry/ToCountry. Building it
 * means Twilio received the contact's message, so it opens the 24-hour window of that contact and sender.
 */
export function buildInboundWhatsApp(sim: SimulatorAccount, input: InboundWhatsAppInput): SignedWebhook & { messageSid: string } {
  const { ToCountry: _to, FromCountry: _from, ...params } = inboundSmsForm(sim.accountSid, {
    url: input.url,
    from: `whatsapp:${input.from}`,
    to: `whatsapp:${input.to}`,
    body: input.body,
    mediaUrls: input.mediaUrls,
  });
  params.WaId = input.from.replace(/^\+/, '');
  params.MessageType = messageType(params.MediaContentType0);
  if (input.profileName !== undefined) params.ProfileName = input.profileName;
  openWhatsAppWindow(sim, input.from, input.to);
  const webhook = signTwilioWebhook(sim.authToken, input.url, params, input.signature ?? 'valid');
  return { ...webhook, messageSid: params.MessageSid ?? '' };
}

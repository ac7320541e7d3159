import type {
  FarSideWhatsApp, ReportedWhatsAppStatus, WhatsAppFault, WhatsAppHarness, WhatsAppWebhookSigning,
} from '../../../contracts/whatsapp.js';
import type { WebhookRequest } from '../../../ports/webhook.js';
import type { SimulatedMessage } from './twilio-message-resource.js';
import type { SignatureMode, SignedWebhook } from './twilio-webhook-signing.js';
import type { TwilioSimulator } from './twilio-simulator.js';
import type { WebhookRecorder } from './webhook-recorder.js';
import { buildInboundWhatsApp } from './whatsapp-inbound-form.js';
import { contentTemplateOf, isRefusedOutsideWindow, openWhatsAppWindow } from './whatsapp-window.js';

/** Faults stay armed until cleared: every send of a test sees them. */
const UNTIL_CLEARED = 1_000_000;
const RETRY_AFTER_SECONDS = 7;
/** "Unreachable destination handset": a delivery failure that has nothing to do with the window. */
const DELIVERY_ERROR_CODE = 30003;
const WHATSAPP_PATH = '/webhooks/agt_contract/whatsapp';

export interface TwilioWhatsAppHarnessOptions {
  /** Where the server is reachable for Twilio (the URL Twilio signs). */
  publicBaseUrl: string;
  /** A WhatsApp user the simulator delivers to. */
  contact: string;
  /** A destination the simulator refuses with 21211 (see `refusedDestinations`). */
  refusedNumber?: string;
}

function asWebhookRequest(webhook: SignedWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: webhook.headers, rawBody: webhook.rawBody, params: webhook.params };
}

const bare = (address: string) => address.replace(/^whatsapp:/, '');

/** Twilio signs no timestamp, so there is no stale signature to make (the suite asks only with `signedTimestamp`). */
function signatureMode(signing: WhatsAppWebhookSigning = 'valid'): SignatureMode {
  if (signing === 'stale') throw new Error('Twilio webhook signatures carry no timestamp: declare signedTimestamp: false');
  return signing;
}

/** The WhatsApp contract's view of the Twilio simulator (and of a recorder standing in for our webhook endpoint). */
export function twilioWhatsAppHarness(sim: TwilioSimulator, recorder: WebhookRecorder, options: TwilioWhatsAppHarnessOptions): WhatsAppHarness {
  const sender = sim.ownedNumbers[0];
  if (!sender) throw new Error('The simulator needs at least one owned number');
  const webhookUrl = `${options.publicBaseUrl}${WHATSAPP_PATH}`;

  // What reached the contact: WhatsApp messages, less those failing with 63016 (they never leave Twilio).
  const farSide = (message: SimulatedMessage): FarSideWhatsApp => {
    const template = contentTemplateOf(sim, message.sid);
    return {
      from: bare(message.from),
      to: bare(message.to),
      body: message.body,
      mediaUrls: [...message.mediaUrls],
      template: template ? { id: template.contentSid, variables: template.variables } : null,
    };
  };

  return {
    sender,
    contact: options.contact,
    refusedNumber: options.refusedNumber,
    failureErrorCode: String(DELIVERY_ERROR_CODE),
    secrets: [sim.authToken],
    rateLimitRetryAfterSeconds: RETRY_AFTER_SECONDS,
    received: () => sim.messages.filter((m) => m.to.startsWith('whatsapp:') && !isRefusedOutsideWindow(sim, m.sid)).map(farSide),
    openWindow: (contact) => openWhatsAppWindow(sim, contact, sender),
    signedInbound: (message, opts: { signing?: WhatsAppWebhookSigning } = {}) =>
      asWebhookRequest(buildInboundWhatsApp(sim, {
        url: webhookUrl,
        from: message.from,
        to: message.to,
        body: message.body,
        mediaUrls: message.mediaUrl ? [message.mediaUrl] : undefined,
        profileName: message.profileName,
        signature: signatureMode(opts.signing),
      })),
    signedStatus: (providerMessageId, status: ReportedWhatsAppStatus, opts: { signing?: WhatsAppWebhookSigning } = {}) =>
      asWebhookRequest(sim.buildStatusCallback({
        url: webhookUrl,
        messageSid: providerMessageId,
        // Our vocabulary for these five is Twilio's, word for word.
        status,
        errorCode: status === 'failed' || status === 'undelivered' ? DELIVERY_ERROR_CODE : null,
        from: `whatsapp:${sender}`,
        to: `whatsapp:${options.contact}`,
        signature: signatureMode(opts.signing),
      })),
    injectFault: (fault: WhatsAppFault | null) => {
      sim.clearFaults();
      if (fault === 'server-error') sim.failNext({ status: 500, times: UNTIL_CLEARED });
      if (fault === 'rate-limit') sim.failNext({ status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, times: UNTIL_CLEARED });
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
    },
    statusCallbackUrl: `${recorder.baseUrl}${WHATSAPP_PATH}`,
    statusWebhooks: () => recorder.received.map((r) => ({ ...r })),
  };
}

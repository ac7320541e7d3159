import type {
  FarSideWhatsApp, ReportedWhatsAppStatus, WhatsAppFault, WhatsAppHarness, WhatsAppWebhookSigning,
} from '../../../contracts/whatsapp.js';
import type { WebhookRequest } from '../../../ports/webhook.js';
import type { VonageMessageStatus } from './vonage-webhook-bodies.js';
import type { SignedVonageWebhook } from './vonage-webhook-signing.js';
import type { SimulatedWhatsAppMessage, VonageSimulator } from './vonage-simulator.js';
import type { WebhookReceiver } from '../shared/webhook-receiver.js';

/** Faults stay armed until cleared: every send of a test sees them. */
const UNTIL_CLEARED = 1_000_000;
const RETRY_AFTER_SECONDS = 7;
/** "Not part of the provider network": the contact is not on WhatsApp. */
const DELIVERY_ERROR_CODE = 1300;

const VONAGE_STATUS: Readonly<Record<ReportedWhatsAppStatus, VonageMessageStatus>> = {
  sent: 'submitted',
  delivered: 'delivered',
  read: 'read',
  failed: 'rejected',
  undelivered: 'undelivered',
};

export interface VonageHarnessOptions {
  /** Where the server is reachable for Vonage. */
  publicBaseUrl: string;
  /** A WhatsApp user the simulator delivers to. */
  contact: string;
  /** A destination the simulator refuses (see `refusedRecipients`). */
  refusedNumber?: string;
}

function asWebhookRequest(webhook: SignedVonageWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: webhook.headers, rawBody: webhook.rawBody, params: webhook.params };
}

/** The simulator's record in the port's terms: E.164 numbers, the caption as body, template variables by key. */
function farSide(message: SimulatedWhatsAppMessage): FarSideWhatsApp {
  const template = message.template;
  const variables: Record<string, string> = template
    ? { ...Object.fromEntries(template.parameters.map((value, index) => [String(index + 1), value])), ...template.namedParameters }
    : {};
  return {
    from: `+${message.from}`,
    to: `+${message.to}`,
    body: message.text ?? message.media?.caption ?? '',
    mediaUrls: message.media ? [message.media.url] : [],
    template: template ? { id: template.name, variables } : null,
  };
}

/** The WhatsApp contract's view of the Vonage simulator (and of a receiver standing in for our webhook endpoint). */
export function vonageWhatsAppHarness(sim: VonageSimulator, receiver: WebhookReceiver, options: VonageHarnessOptions): WhatsAppHarness {
  const business = sim.whatsappNumbers[0];
  if (!business) throw new Error('The simulator needs at least one WhatsApp number');
  const sender = `+${business}`;
  return {
    sender,
    contact: options.contact,
    refusedNumber: options.refusedNumber,
    failureErrorCode: String(DELIVERY_ERROR_CODE),
    secrets: [sim.apiSecret, sim.privateKey, sim.signatureSecret],
    rateLimitRetryAfterSeconds: RETRY_AFTER_SECONDS,
    received: () => sim.messages.map(farSide),
    openWindow: (contact) => sim.contactWrote(contact, sender),
    signedInbound: (message, opts: { signing?: WhatsAppWebhookSigning } = {}) =>
      asWebhookRequest(sim.buildInbound({
        url: `${options.publicBaseUrl}/webhooks/vonage/whatsapp/inbound?agent=agt_contract`,
        from: message.from,
        to: message.to,
        text: message.body,
        media: message.mediaUrl ? { type: 'image', url: message.mediaUrl, caption: message.body } : undefined,
        profileName: message.profileName,
        signature: opts.signing ?? 'valid',
      })),
    signedStatus: (providerMessageId, status, opts: { signing?: WhatsAppWebhookSigning } = {}) =>
      asWebhookRequest(sim.buildStatus({
        url: `${options.publicBaseUrl}/webhooks/vonage/whatsapp/status?agent=agt_contract`,
        messageUuid: providerMessageId,
        status: VONAGE_STATUS[status],
        errorCode: status === 'failed' || status === 'undelivered' ? DELIVERY_ERROR_CODE : null,
        to: options.contact,
        from: sender,
        signature: opts.signing ?? 'valid',
      })),
    injectFault: (fault: WhatsAppFault | null) => {
      sim.clearFaults();
      if (fault === 'server-error') sim.failNext({ status: 500, times: UNTIL_CLEARED });
      if (fault === 'rate-limit') sim.failNext({ status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, times: UNTIL_CLEARED });
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
    },
    statusCallbackUrl: `${receiver.baseUrl}/webhooks/vonage/whatsapp/status?agent=agt_contract`,
    statusWebhooks: () => receiver.received.map((r) => ({ ...r })),
  };
}

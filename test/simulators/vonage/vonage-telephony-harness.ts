import type {
  CallInstructions, FarSideCall, FarSideSms, ReportedCallStatus, ReportedDeliveryStatus, TelephonyCallHarness, TelephonyFault,
  TelephonyHarness, WebhookSigning,
} from '../../../contracts/telephony.js';
import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import type { WebhookReceiver } from '../shared/webhook-receiver.js';
import type { DeliveryReceiptStatus } from './vonage-sms-bodies.js';
import type { VonageTelephonySimulator } from './vonage-telephony-simulator.js';
import type { VonageCallStatus } from './vonage-voice-calls.js';
import type { SignedVonageWebhook } from './vonage-webhook-signing.js';

/** Faults stay armed until cleared: every request of a test sees them. */
const UNTIL_CLEARED = 1_000_000;
/** A delivery receipt's `err-code` for a permanently absent subscriber. */
const DELIVERY_ERROR_CODE = '3';

const RECEIPT_STATUS: Readonly<Record<ReportedDeliveryStatus, DeliveryReceiptStatus>> = {
  sent: 'accepted',
  delivered: 'delivered',
  undelivered: 'expired',
  failed: 'failed',
};

const CALL_STATUS: Readonly<Record<ReportedCallStatus, VonageCallStatus>> = {
  ringing: 'ringing',
  'in-progress': 'answered',
  completed: 'completed',
};

export interface VonageTelephonyHarnessOptions {
  /** Where the server is reachable for Vonage. */
  publicBaseUrl: string;
  reachableNumber: string;
  /** A destination the simulator refuses (see `refusedRecipients`). */
  refusedNumber: string;
  /** A valid audio file served on loopback, for the simulated callee to play. */
  audioUrl: string;
}

const SMS_STATUS_PATH = '/webhooks/vonage/dlr';
const CALL_STATUS_PATH = '/webhooks/vonage/call-event';

function isAt(path: string) {
  return (webhook: { url: string }) => new URL(webhook.url).pathname === path;
}

function asWebhookRequest(webhook: SignedVonageWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: webhook.headers, rawBody: webhook.rawBody, params: webhook.params };
}

/** What an NCCO tells Vonage to do, in the contract's neutral terms. */
export function readNcco(ncco: unknown): CallInstructions {
  if (Array.isArray(ncco) && ncco.length === 0) return { kind: 'hangup' };
  const [first] = Array.isArray(ncco) ? (ncco as Array<Record<string, unknown>>) : [];
  const endpoint = Array.isArray(first?.endpoint) ? (first.endpoint[0] as Record<string, unknown> | undefined) : undefined;
  if (Array.isArray(ncco) && ncco.length === 1 && first?.action === 'connect' && endpoint?.type === 'phone') {
    return { kind: 'transfer', to: `+${String(endpoint.number)}`, callerId: typeof first.from === 'string' ? `+${first.from}` : null };
  }
  return { kind: 'other', description: JSON.stringify(ncco) };
}

/** The telephony contract's view of the Vonage simulator (and of a receiver standing in for our webhook endpoint). */
export function vonageTelephonyHarness(sim: VonageTelephonySimulator, receiver: WebhookReceiver, options: VonageTelephonyHarnessOptions): TelephonyHarness {
  const owned = sim.numbers[0];
  if (!owned) throw new Error('The simulator needs at least one number');
  const ownedNumber = `+${owned}`;
  return {
    ownedNumber,
    reachableNumber: options.reachableNumber,
    refusedNumber: options.refusedNumber,
    failureErrorCode: DELIVERY_ERROR_CODE,
    secrets: [sim.apiSecret, sim.signatureSecret, sim.privateKey],
    sentMessages: (): FarSideSms[] => sim.sms.map((m) => ({ from: `+${m.from}`, to: `+${m.to}`, body: m.text })),
    signedInboundSms: (sms, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildInboundSms({
        url: `${options.publicBaseUrl}/webhooks/vonage/sms?agent=agt_contract`, from: sms.from, to: sms.to, text: sms.body, signature: opts.signing ?? 'valid',
      })),
    signedStatusUpdate: (providerMessageId, status, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildDeliveryReceipt({
        url: `${options.publicBaseUrl}${SMS_STATUS_PATH}?agent=agt_contract`,
        messageId: providerMessageId,
        status: RECEIPT_STATUS[status],
        errCode: status === 'failed' || status === 'undelivered' ? DELIVERY_ERROR_CODE : '0',
        to: options.reachableNumber,
        from: ownedNumber,
        signature: opts.signing ?? 'valid',
      })),
    injectFault: (fault: TelephonyFault | null) => {
      sim.clearFaults();
      if (fault === 'server-error') sim.failNext({ status: 500, times: UNTIL_CLEARED });
      if (fault === 'rate-limit') sim.throttleNext({ times: UNTIL_CLEARED });
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
    },
    statusCallbackUrl: `${receiver.baseUrl}${SMS_STATUS_PATH}?agent=agt_contract`,
    statusWebhooks: () => receiver.received.filter(isAt(SMS_STATUS_PATH)).map((r) => ({ ...r })),
    calls: vonageCallHarness(sim, receiver, options),
  };
}

function vonageCallHarness(sim: VonageTelephonySimulator, receiver: WebhookReceiver, options: VonageTelephonyHarnessOptions): TelephonyCallHarness {
  return {
    audioUrl: options.audioUrl,
    placedCalls: (): FarSideCall[] => sim.calls.map((c) => ({ from: `+${c.from}`, to: `+${c.to}`, played: [...c.played] })),
    signedCallStatus: (providerCallId, status, opts: { durationSeconds?: number; signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildCallEvent({
        url: `${options.publicBaseUrl}${CALL_STATUS_PATH}?agent=agt_contract`,
        uuid: providerCallId,
        status: CALL_STATUS[status],
        durationSeconds: status === 'completed' ? (opts.durationSeconds ?? 0) : undefined,
        to: options.reachableNumber,
        signature: opts.signing ?? 'valid',
      })),
    statusCallbackUrl: `${receiver.baseUrl}${CALL_STATUS_PATH}?agent=agt_contract`,
    statusWebhooks: () => receiver.received.filter(isAt(CALL_STATUS_PATH)).map((r) => ({ ...r })),
    readInstructions: (reply: WebhookReply) => readNcco(JSON.parse(reply.body)),
    placedInstructions: (providerCallId) => {
      const call = sim.calls.find((c) => c.uuid === providerCallId);
      return call ? readNcco(call.ncco) : null;
    },
    signedIncomingCall: (call, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildIncomingCall({ url: `${options.publicBaseUrl}/webhooks/voice`, ...call, signature: opts.signing ?? 'valid' })),
  };
}

import type {
  FarSideCall, FarSideSms, TelephonyCallHarness, TelephonyFault, TelephonyHarness, WebhookSigning,
} from '../../../contracts/telephony.js';
import type { WebhookRequest } from '../../../ports/webhook.js';
import { readTwimlInstructions } from './twiml-instructions.js';
import type { SignedWebhook } from './twilio-webhook-signing.js';
import type { TwilioSimulator } from './twilio-simulator.js';
import type { WebhookRecorder } from './webhook-recorder.js';

/** Faults stay armed until cleared: every send of a test sees them. */
const UNTIL_CLEARED = 1_000_000;
const RETRY_AFTER_SECONDS = 7;
const DELIVERY_ERROR_CODE = 30003;

export interface TwilioHarnessOptions {
  /** Where the server is reachable for Twilio (the URL Twilio signs). */
  publicBaseUrl: string;
  /** A destination the simulator accepts. */
  reachableNumber: string;
  /** A destination the simulator refuses with 21211 (see `refusedDestinations`). */
  refusedNumber: string;
  /** A valid audio file served on loopback (see `AudioFileServer`), for the simulated callee to play. */
  audioUrl: string;
}

const SMS_STATUS_PATH = '/webhooks/twilio/status';
const CALL_STATUS_PATH = '/webhooks/twilio/call-status';

function isAt(path: string) {
  return (webhook: { url: string }) => new URL(webhook.url).pathname === path;
}

function asWebhookRequest(webhook: SignedWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: webhook.headers, rawBody: webhook.rawBody, params: webhook.params };
}

/** The telephony contract's view of the Twilio simulator (and of a recorder standing in for our webhook endpoint). */
export function twilioTelephonyHarness(sim: TwilioSimulator, recorder: WebhookRecorder, options: TwilioHarnessOptions): TelephonyHarness {
  const ownedNumber = sim.ownedNumbers[0];
  if (!ownedNumber) throw new Error('The simulator needs at least one owned number');
  return {
    ownedNumber,
    reachableNumber: options.reachableNumber,
    refusedNumber: options.refusedNumber,
    failureErrorCode: String(DELIVERY_ERROR_CODE),
    secrets: [sim.authToken],
    rateLimitRetryAfterSeconds: RETRY_AFTER_SECONDS,
    sentMessages: (): FarSideSms[] => sim.messages.map(({ from, to, body }) => ({ from, to, body })),
    signedInboundSms: (sms, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildInboundSms({
        url: `${options.publicBaseUrl}/webhooks/twilio/sms?agent=agt_contract`,
        ...sms,
        signature: opts.signing ?? 'valid',
      })),
    signedStatusUpdate: (providerMessageId, status, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildStatusCallback({
        url: `${options.publicBaseUrl}/webhooks/twilio/status?agent=agt_contract`,
        messageSid: providerMessageId,
        status,
        errorCode: status === 'failed' || status === 'undelivered' ? DELIVERY_ERROR_CODE : null,
        to: options.reachableNumber,
        signature: opts.signing ?? 'valid',
      })),
    injectFault: (fault: TelephonyFault | null) => {
      sim.clearFaults();
      if (fault === 'server-error') sim.failNext({ status: 500, times: UNTIL_CLEARED });
      if (fault === 'rate-limit') sim.failNext({ status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, times: UNTIL_CLEARED });
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
    },
    statusCallbackUrl: `${recorder.baseUrl}${SMS_STATUS_PATH}?agent=agt_contract`,
    statusWebhooks: () => recorder.received.filter(isAt(SMS_STATUS_PATH)).map((r) => ({ ...r })),
    calls: twilioCallHarness(sim, recorder, options),
  };
}

function twilioCallHarness(sim: TwilioSimulator, recorder: WebhookRecorder, options: TwilioHarnessOptions): TelephonyCallHarness {
  return {
    audioUrl: options.audioUrl,
    placedCalls: (): FarSideCall[] => sim.calls.map(({ from, to, played }) => ({
      from,
      to,
      played: played.flatMap(({ url, times }) => Array.from({ length: times }, () => url)),
    })),
    signedCallStatus: (providerCallId, status, opts: { durationSeconds?: number; signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildCallStatusCallback({
        url: `${options.publicBaseUrl}${CALL_STATUS_PATH}?agent=agt_contract`,
        callSid: providerCallId,
        status,
        callDurationSeconds: status === 'completed' ? (opts.durationSeconds ?? 0) : undefined,
        to: options.reachableNumber,
        signature: opts.signing ?? 'valid',
      })),
    statusCallbackUrl: `${recorder.baseUrl}${CALL_STATUS_PATH}?agent=agt_contract`,
    statusWebhooks: () => recorder.received.filter(isAt(CALL_STATUS_PATH)).map((r) => ({ ...r })),
    readInstructions: (reply) => readTwimlInstructions(reply.body),
    placedInstructions: (providerCallId) => {
      const call = sim.calls.find((c) => c.sid === providerCallId);
      return call?.twiml ? readTwimlInstructions(call.twiml) : null;
    },
    signedIncomingCall: (call, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildIncomingCall({
        url: `${options.publicBaseUrl}/webhooks/agt_contract/voice`, ...call, signature: opts.signing ?? 'valid',
      })),
    signedConversationEnd: (providerCallId, handoffData, opts: { signing?: WebhookSigning } = {}) =>
      asWebhookRequest(sim.buildConversationEnd({
        url: `${options.publicBaseUrl}/webhooks/agt_contract/voice/action`,
        callSid: providerCallId,
        handoffData,
        from: options.reachableNumber,
        signature: opts.signing ?? 'valid',
      })),
  };
}

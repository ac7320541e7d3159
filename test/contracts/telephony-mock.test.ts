import { describe, expect, it } from 'vitest';
import { MOCK_SECONDS_PER_PLAY } from '../../adapters/mock/mock-calls.js';
import { MockTelephony, MOCK_HISTORY_LIMIT, MOCK_REFUSED_NUMBER } from '../../adapters/mock/mock-telephony.js';
import { MOCK_SIGNATURE_HEADER, signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import mockPlugin from '../../adapters/mock/telephony-plugin.js';
import {
  describeTelephonyContract, type PushedCallStatus, type PushedSmsStatus, type TelephonyHarness, type WebhookSigning,
} from '../../contracts/telephony.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { readTwimlInstructions } from '../simulators/twilio/twiml-instructions.js';

const SECRET = 'contract-mock-secret-5f2a';
const PUBLIC_BASE_URL = 'https://comms.example.com';

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

function testContext(pushed: PushedSmsStatus[], pushedCalls: PushedCallStatus[] = []): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}${(counter += 1)}` },
    publicBaseUrl: PUBLIC_BASE_URL,
    configDir: '.',
    dataDir: './data',
    events: { messageStatus: (update) => pushed.push(update), callStatus: (update) => pushedCalls.push(update), emailReceived: () => {} },
  };
}

/** A form webhook signed the way demo mode expects (x-mock-signature over url + raw body). */
function signedForm(url: string, params: Record<string, string>, signing: WebhookSigning = 'valid'): WebhookRequest {
  const rawBody = new URLSearchParams(params).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signing !== 'missing') headers[MOCK_SIGNATURE_HEADER] = signMockWebhook(signing === 'valid' ? SECRET : 'not-the-secret', url, rawBody);
  return { url, method: 'POST', headers, rawBody, params };
}

let inboundCounter = 0;

async function buildMock(pushed: PushedSmsStatus[] = [], pushedCalls: PushedCallStatus[] = [], statusDelayMs?: number): Promise<MockTelephony> {
  const port = await mockPlugin.create({ webhookSecret: SECRET, statusDelayMs }, testContext(pushed, pushedCalls));
  if (!(port instanceof MockTelephony)) throw new Error('the mock plugin must build a MockTelephony');
  return port;
}

describeTelephonyContract({
  name: 'mock (demo mode)',
  capabilities: { sms: true, mms: true, voice: true },
  async factory() {
    const pushed: PushedSmsStatus[] = [];
    const pushedCalls: PushedCallStatus[] = [];
    // A demo call stays on the line 2 ms per file played: long enough for the suite to hang up on a long one.
    const port = await buildMock(pushed, pushedCalls, 2);
    const harness: TelephonyHarness = {
      ownedNumber: '+15550100',
      reachableNumber: '+15550101',
      refusedNumber: MOCK_REFUSED_NUMBER,
      failureErrorCode: '30003',
      secrets: [SECRET],
      rateLimitRetryAfterSeconds: 1,
      sentMessages: () => port.sent.map(({ from, to, body }) => ({ from, to, body })),
      signedInboundSms: (sms, options = {}) => {
        const sid = `MOCKIN${(inboundCounter += 1)}`;
        const params: Record<string, string> = {
          MessageSid: sid, From: sms.from, To: sms.to, Body: sms.body, NumMedia: String(sms.mediaUrls?.length ?? 0),
        };
        sms.mediaUrls?.forEach((url, index) => { params[`MediaUrl${index}`] = url; });
        return signedForm(`${PUBLIC_BASE_URL}/webhooks/mock/sms?agent=agt_contract`, params, options.signing);
      },
      signedStatusUpdate: (providerMessageId, status, options = {}) => {
        const params: Record<string, string> = { MessageSid: providerMessageId, MessageStatus: status };
        if (status === 'failed' || status === 'undelivered') params.ErrorCode = '30003';
        return signedForm(`${PUBLIC_BASE_URL}/webhooks/mock/status`, params, options.signing);
      },
      injectFault: (fault) => port.injectFault(fault),
      pushedStatuses: () => pushed,
      calls: {
        audioUrl: 'https://media.example.com/contract/greeting.mp3',
        // Demo mode downloads nothing: the callee "hears" the script as given.
        placedCalls: () => port.placed.map(({ from, to, script }) => ({
          from, to, played: script.kind === 'play' ? Array.from({ length: script.loop }, () => script.audioUrls).flat() : [],
        })),
        signedCallStatus: (providerCallId, status, options = {}) => {
          const params: Record<string, string> = { CallSid: providerCallId, CallStatus: status, Timestamp: new Date().toUTCString() };
          if (status === 'completed') params.CallDuration = String(options.durationSeconds ?? 0);
          return signedForm(`${PUBLIC_BASE_URL}/webhooks/mock/call-status`, params, options.signing);
        },
        pushedStatuses: () => pushedCalls,
        // Demo mode answers in Twilio's TwiML, so Twilio's reading of it applies.
        readInstructions: (reply) => readTwimlInstructions(reply.body),
        placedInstructions: (providerCallId) => {
          const placed = port.placed.find((c) => c.providerCallId === providerCallId);
          if (!placed) return null;
          if (placed.script.kind === 'play') return { kind: 'other', description: 'plays audio' };
          return readTwimlInstructions(port.calls?.answerWithConversation(placed.script.conversation).body ?? '');
        },
        signedIncomingCall: (call, options = {}) => signedForm(`${PUBLIC_BASE_URL}/webhooks/agt_contract/voice`, {
          CallSid: `MOCKINCALL${(inboundCounter += 1)}`, From: call.from, To: call.to, CallStatus: 'ringing', Direction: 'inbound',
        }, options.signing),
        signedConversationEnd: (providerCallId, handoffData, options = {}) => signedForm(`${PUBLIC_BASE_URL}/webhooks/agt_contract/voice/action`, {
          CallSid: providerCallId,
          SessionStatus: handoffData === null ? 'completed' : 'ended',
          ...(handoffData === null ? {} : { HandoffData: handoffData }),
        }, options.signing),
      },
    };
    return { port, harness };
  },
});

describe('mock telephony specifics', () => {
  it('reports sent then delivered on later ticks, echoing the reference', async () => {
    const pushed: PushedSmsStatus[] = [];
    const port = await buildMock(pushed);
    const result = await port.sendSms({ from: '+15550100', to: '+15550101', body: 'hi', reference: 'msg_42' });
    expect(result.providerMessageId).toMatch(/^MOCK/);
    expect(result.status).toBe('queued');
    expect(pushed).toEqual([]);
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed).toEqual([
      { reference: 'msg_42', providerMessageId: result.providerMessageId, status: 'sent', errorCode: null },
      { reference: 'msg_42', providerMessageId: result.providerMessageId, status: 'delivered', errorCode: null },
    ]);
    expect(port.sent[0]).toMatchObject({ reference: 'msg_42', body: 'hi', statusCallbackUrl: null });
  });

  it('stops reporting once closed', async () => {
    const pushed: PushedSmsStatus[] = [];
    const port = await buildMock(pushed);
    await port.sendSms({ from: '+15550100', to: '+15550101', body: 'hi', reference: 'msg_43' });
    await port.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushed).toEqual([]);
  });

  it('uses "demo-secret" when no webhook secret is configured', async () => {
    const port = await mockPlugin.create({}, testContext([]));
    const url = 'https://comms.example.com/webhooks/mock/sms';
    const rawBody = 'MessageSid=MOCKIN1&From=%2B15550101&To=%2B15550100&Body=hi';
    const request = { url, method: 'POST', headers: { [MOCK_SIGNATURE_HEADER]: signMockWebhook('demo-secret', url, rawBody) }, rawBody, params: {} };
    expect(port.verifyWebhook(request)).toBe(true);
  });

  it('refuses a status outside our vocabulary as INVALID_INPUT', async () => {
    const port = await buildMock();
    const request = signedForm('https://comms.example.com/s', { MessageSid: 'MOCK1', MessageStatus: 'teleported' });
    expect(() => port.parseSmsStatus(request)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('mock telephony calls', () => {
  const script = { kind: 'play' as const, audioUrls: ['https://media.example.com/a.mp3', 'https://media.example.com/b.mp3'], loop: 2 };

  it('reports initiated, ringing, in-progress and completed on later ticks, echoing the reference', async () => {
    const pushedCalls: PushedCallStatus[] = [];
    const port = await buildMock([], pushedCalls);
    const result = await port.calls?.makeCall({ from: '+15550100', to: '+15550101', script, reference: 'call_42' });
    expect(result).toEqual({ providerCallId: expect.stringMatching(/^MOCKCALL/), status: 'queued' });
    expect(pushedCalls).toEqual([]);
    await expect.poll(() => pushedCalls.length).toBe(4);
    expect(pushedCalls.map((e) => [e.reference, e.providerCallId, e.status, e.durationSeconds])).toEqual([
      ['call_42', result?.providerCallId, 'initiated', null],
      ['call_42', result?.providerCallId, 'ringing', null],
      ['call_42', result?.providerCallId, 'in-progress', null],
      // Four plays of a demo file of MOCK_SECONDS_PER_PLAY seconds.
      ['call_42', result?.providerCallId, 'completed', 4 * MOCK_SECONDS_PER_PLAY],
    ]);
    expect(pushedCalls.every((e) => e.occurredAt instanceof Date && e.priceMicros === null && e.currency === null)).toBe(true);
    expect(port.placed[0]).toMatchObject({ reference: 'call_42', script, status: 'completed', statusCallbackUrl: null });
  });

  it('cancels a demo call hung up before it is answered, and stops reporting once closed', async () => {
    const pushedCalls: PushedCallStatus[] = [];
    const port = await buildMock([], pushedCalls, 50);
    const { providerCallId } = (await port.calls?.makeCall({ from: '+15550100', to: '+15550101', script, reference: 'call_43' })) ?? { providerCallId: '' };
    await port.calls?.hangUp(providerCallId);
    await expect.poll(() => pushedCalls.map((e) => e.status)).toEqual(['canceled']);
    await port.calls?.makeCall({ from: '+15550100', to: '+15550101', script, reference: 'call_44' });
    await port.close();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(pushedCalls.map((e) => e.reference)).toEqual(['call_43']);
  });

  it('keeps only the most recent 1,000 messages and calls', async () => {
    const port = await buildMock();
    for (let i = 0; i < MOCK_HISTORY_LIMIT + 5; i += 1) {
      await port.sendSms({ from: '+15550100', to: '+15550101', body: `n${i}`, reference: `msg_${i}` });
      await port.calls?.makeCall({ from: '+15550100', to: '+15550101', script, reference: `call_${i}` });
    }
    await port.close();
    expect(port.sent).toHaveLength(MOCK_HISTORY_LIMIT);
    expect(port.sent[0]?.reference).toBe('msg_5');
    expect(port.placed).toHaveLength(MOCK_HISTORY_LIMIT);
    expect(port.placed.at(-1)?.reference).toBe(`call_${MOCK_HISTORY_LIMIT + 4}`);
  });

  it('parses Twilio-shaped call status forms, refusing an unknown status as INVALID_INPUT', async () => {
    const port = await buildMock();
    const form = signedForm('https://comms.example.com/c', {
      CallSid: 'MOCKCALL9', CallStatus: 'completed', CallDuration: '12', Price: '-0.0125', PriceUnit: 'USD', Timestamp: 'Tue, 24 Nov 2026 10:00:00 +0000',
    });
    expect(port.verifyWebhook(form)).toBe(true);
    expect(port.calls?.parseCallStatus(form)).toEqual({
      providerCallId: 'MOCKCALL9', status: 'completed', durationSeconds: 12, priceMicros: -12_500, currency: 'USD',
      occurredAt: new Date('2026-11-24T10:00:00Z'),
    });
    const unknown = signedForm('https://comms.example.com/c', { CallSid: 'MOCKCALL9', CallStatus: 'teleported' });
    expect(() => port.calls?.parseCallStatus(unknown)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('mock telephony conversations', () => {
  const conversation = {
    relayUrl: 'wss://comms.example.com/voice/relay/call_50', welcomeGreeting: 'Hi & welcome', voice: 'demo-voice', language: 'en-US',
    interruptible: true, actionUrl: 'https://comms.example.com/webhooks/agt_1/voice/action', parameters: { callId: 'call_50' },
  };

  it('keeps a demo conversation call in progress until it is hung up, then completes it', async () => {
    const pushedCalls: PushedCallStatus[] = [];
    const port = await buildMock([], pushedCalls);
    const { providerCallId } = (await port.calls?.makeCall({ from: '+15550100', to: '+15550101', script: { kind: 'converse', conversation }, reference: 'call_50' })) ?? { providerCallId: '' };
    await expect.poll(() => pushedCalls.map((e) => e.status)).toEqual(['initiated', 'ringing', 'in-progress']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushedCalls).toHaveLength(3);
    expect(port.placed[0]).toMatchObject({ script: { kind: 'converse', conversation }, status: 'in-progress' });
    await port.calls?.hangUp(providerCallId);
    await expect.poll(() => pushedCalls.at(-1)?.status).toBe('completed');
    expect(pushedCalls.at(-1)?.durationSeconds).toBe(1);
    await port.close();
  });

  it('answers in Twilio-shaped TwiML, escaped, and reads Twilio-shaped forms', async () => {
    const port = await buildMock();
    const XML = '<?xml version="1.0" encoding="UTF-8"?>';
    expect(port.calls?.answerWithConversation(conversation)).toEqual({
      contentType: 'text/xml',
      body: `${XML}<Response><Connect action="https://comms.example.com/webhooks/agt_1/voice/action"><ConversationRelay url="wss://comms.example.com/voice/relay/call_50" welcomeGreeting="Hi &amp; welcome" voice="demo-voice" language="en-US" interruptible="speech" dtmfDetection="true"><Parameter name="callId" value="call_50"/></ConversationRelay></Connect></Response>`,
    });
    expect(port.calls?.answerWithTransfer('+15550123', '+15550100').body).toBe(`${XML}<Response><Dial callerId="+15550100">+15550123</Dial></Response>`);
    expect(port.calls?.answerWithHangup().body).toBe(`${XML}<Response><Hangup/></Response>`);
    const incoming = signedForm('https://comms.example.com/webhooks/agt_1/voice', { CallSid: 'MOCKIN9', From: '+15550101', To: '+15550100' });
    expect(port.calls?.parseIncomingCall(incoming)).toEqual({ providerCallId: 'MOCKIN9', from: '+15550101', to: '+15550100' });
    const ended = signedForm('https://comms.example.com/a', { CallSid: 'MOCKIN9', HandoffData: '{"reason":"hangup"}' });
    expect(port.calls?.parseConversationEnd(ended)).toEqual({ providerCallId: 'MOCKIN9', handoffData: '{"reason":"hangup"}' });
    await port.close();
  });
});

import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simulatorClient } from './twilio/simulator-http-client.js';
import { TwilioSimulator } from './twilio/twilio-simulator.js';
import { WebhookRecorder } from './twilio/webhook-recorder.js';
import { buildInboundWhatsApp } from './twilio/whatsapp-inbound-form.js';
import {
  contentTemplateOf, isRefusedOutsideWindow, isWhatsAppWindowOpen, openWhatsAppWindow, resetWhatsApp, whatsAppSettled,
  WHATSAPP_WINDOW_MS,
} from './twilio/whatsapp-window.js';

const OWNED = '+15550100';
const CONTACT = '+15550101';
const WA_OWNED = `whatsapp:${OWNED}`;
const WA_CONTACT = `whatsapp:${CONTACT}`;
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';

const sim = new TwilioSimulator({ ownedNumbers: [OWNED], callbackDelayMs: 1 });
const receiver = new WebhookRecorder();

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
});
beforeEach(() => {
  sim.reset();
  resetWhatsApp(sim);
  receiver.reset();
});

const client = () => simulatorClient(sim.baseUrl, sim.accountSid, sim.authToken, 500);

async function rawCreate(form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
  const response = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function settled(): Promise<void> {
  await sim.settled();
  await whatsAppSettled(sim);
}

describe('Twilio simulator: WhatsApp on the Messages API', () => {
  it('accepts whatsapp: addresses inside the window, echoes them, and delivers', async () => {
    openWhatsAppWindow(sim, CONTACT, OWNED);
    const callback = `${receiver.baseUrl}/wa`;
    const created = await client().messages.create({ from: WA_OWNED, to: WA_CONTACT, body: 'hi', statusCallback: callback });
    expect(created).toMatchObject({ from: WA_OWNED, to: WA_CONTACT, status: 'queued', errorCode: null });
    await settled();
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
    expect(sim.specViolations).toEqual([]);
  });

  it('accepts free-form text outside the window, then fails it with 63016 on the status callback only', async () => {
    const callback = `${receiver.baseUrl}/wa`;
    const created = await client().messages.create({ from: WA_OWNED, to: WA_CONTACT, body: 'too late', statusCallback: callback });
    expect(created.status).toBe('queued');
    expect(isRefusedOutsideWindow(sim, created.sid)).toBe(true);
    await settled();
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook?.params).toMatchObject({ MessageSid: created.sid, MessageStatus: 'failed', ErrorCode: '63016', From: WA_OWNED, To: WA_CONTACT });
    expect(twilio.validateRequest(sim.authToken, hook?.headers['x-twilio-signature'] ?? '', hook?.url ?? '', hook?.params ?? {})).toBe(true);
    expect(await client().messages(created.sid).fetch()).toMatchObject({
      status: 'failed', errorCode: 63016, errorMessage: expect.stringContaining('outside the allowed window'),
    });
  });

  it('fails free-form media outside the window too, but not templates', async () => {
    const media = await rawCreate({ From: WA_OWNED, To: WA_CONTACT, MediaUrl: 'https://media.example.com/a.jpg' });
    const template = await rawCreate({ From: WA_OWNED, To: WA_CONTACT, ContentSid: CONTENT_SID, ContentVariables: '{"1":"Ada"}' });
    expect([media.status, template.status]).toEqual([201, 201]);
    expect(isRefusedOutsideWindow(sim, String(media.json.sid))).toBe(true);
    expect(isRefusedOutsideWindow(sim, String(template.json.sid))).toBe(false);
    expect(contentTemplateOf(sim, String(template.json.sid))).toEqual({ contentSid: CONTENT_SID, variables: { 1: 'Ada' } });
    await settled();
    expect(sim.messages.map((m) => m.status)).toEqual(['failed', 'delivered']);
    expect(sim.specViolations).toEqual([]);
  });

  it('keeps the window open for 24 hours after the contact\'s last message', () => {
    const now = new Date();
    openWhatsAppWindow(sim, CONTACT, OWNED, new Date(now.getTime() - WHATSAPP_WINDOW_MS + 1000));
    expect(isWhatsAppWindowOpen(sim, WA_CONTACT, WA_OWNED, now)).toBe(true);
    expect(isWhatsAppWindowOpen(sim, CONTACT, OWNED, new Date(now.getTime() + 1000))).toBe(false);
    expect(isWhatsAppWindowOpen(sim, CONTACT, '+15550102', now)).toBe(false);
    openWhatsAppWindow(sim, CONTACT, OWNED, new Date(now.getTime() - 2 * WHATSAPP_WINDOW_MS));
    expect(isWhatsAppWindowOpen(sim, CONTACT, OWNED, now)).toBe(true);
  });

  it('opens the window when it builds an inbound WhatsApp webhook, with WhatsApp\'s fields', () => {
    const hook = buildInboundWhatsApp(sim, { url: `${receiver.baseUrl}/in`, from: CONTACT, to: OWNED, body: 'hey', profileName: 'Ada' });
    expect(hook.params).toMatchObject({ From: WA_CONTACT, To: WA_OWNED, Body: 'hey', ProfileName: 'Ada', WaId: '15550101', MessageType: 'text', SmsStatus: 'received' });
    expect(hook.params.ToCountry).toBeUndefined();
    expect(twilio.validateRequest(sim.authToken, hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(true);
    expect(isWhatsAppWindowOpen(sim, CONTACT, OWNED, new Date())).toBe(true);
  });

  it('picks a whatsapp: sender from the Messaging Service pool', async () => {
    openWhatsAppWindow(sim, CONTACT, OWNED);
    const { status, json } = await rawCreate({ MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef', To: WA_CONTACT, Body: 'hi' });
    expect(status).toBe(201);
    expect(json.from).toBe(WA_OWNED);
  });

  it('abandons a scheduled 63016 failure on reset', async () => {
    await client().messages.create({ from: WA_OWNED, to: WA_CONTACT, body: 'x', statusCallback: `${receiver.baseUrl}/wa` });
    resetWhatsApp(sim);
    await settled();
    expect(receiver.received).toEqual([]);
  });

  it.each([
    ['From and To on different channels', { From: OWNED, To: WA_CONTACT, Body: 'hi' }, 21910],
    ['a WhatsApp sender the account does not have', { From: 'whatsapp:+15550150', To: WA_CONTACT, Body: 'hi' }, 63007],
    ['a channel the simulator does not play', { From: 'rcs:+15550100', To: 'rcs:+15550101', Body: 'hi' }, 21211],
    ['a WhatsApp address that is not E.164', { From: WA_OWNED, To: 'whatsapp:555-0101', Body: 'hi' }, 21211],
    ['ContentVariables without ContentSid', { From: WA_OWNED, To: WA_CONTACT, ContentVariables: '{"1":"a"}' }, 21654],
    ['a ContentSid that is not HX + 32 hex', { From: WA_OWNED, To: WA_CONTACT, ContentSid: 'appointment_reminder' }, 21655],
    ['ContentVariables that are not JSON', { From: WA_OWNED, To: WA_CONTACT, ContentSid: CONTENT_SID, ContentVariables: '{1: a}' }, 21656],
    ['ContentVariables that are a JSON array', { From: WA_OWNED, To: WA_CONTACT, ContentSid: CONTENT_SID, ContentVariables: '["a"]' }, 21656],
    ['a ContentVariables value that is empty', { From: WA_OWNED, To: WA_CONTACT, ContentSid: CONTENT_SID, ContentVariables: '{"1":""}' }, 21656],
    ['a ContentVariables value that is not text', { From: WA_OWNED, To: WA_CONTACT, ContentSid: CONTENT_SID, ContentVariables: '{"1":null}' }, 21656],
  ])('refuses %s with Twilio error %i', async (_case, form, code) => {
    openWhatsAppWindow(sim, CONTACT, OWNED);
    const { status, json } = await rawCreate(form);
    expect(status).toBe(400);
    expect(json).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    expect(sim.messages).toEqual([]);
  });
});

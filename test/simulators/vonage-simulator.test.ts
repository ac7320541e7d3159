import { createHash, generateKeyPairSync } from 'node:crypto';
import { Vonage } from '@vonage/server-sdk';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VonageSimulator } from './vonage/vonage-simulator.js';
import { STALE_SIGNATURE_AGE_SECONDS } from './vonage/vonage-webhook-signing.js';
import { WebhookReceiver } from './shared/webhook-receiver.js';

const BUSINESS = '15550100';
const CONTACT = '15550101';
const HOUR_MS = 60 * 60 * 1000;

const sim = new VonageSimulator({ whatsappNumbers: [`+${BUSINESS}`, '+15550102'], refusedRecipients: ['+15550199'], statusDelayMs: 1 });
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
});
beforeEach(() => {
  sim.reset();
  receiver.reset();
});

type SendParams = Parameters<Vonage['messages']['send']>[0];

const basicClient = (secret = sim.apiSecret, timeout = 1000) =>
  new Vonage({ apiKey: sim.apiKey, apiSecret: secret }, { apiHost: sim.baseUrl, timeout });
const jwtClient = (privateKey = sim.privateKey, timeout = 1000) =>
  new Vonage({ applicationId: sim.applicationId, privateKey }, { apiHost: sim.baseUrl, timeout });
const text = (overrides: Partial<SendParams> = {}): SendParams =>
  ({ channel: 'whatsapp', messageType: 'text', to: CONTACT, from: BUSINESS, text: 'Hello', clientRef: 'ref-1', ...overrides }) as SendParams;

interface SdkFailure {
  status: number;
  headers: Headers | { get(name: string): string | null };
  problem: Record<string, unknown>;
  error: Error;
}

/** The SDK throws a VetchError with the unread response for any non-2xx answer. */
async function refusal(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; headers: SdkFailure['headers']; text(): Promise<string> } }).response;
    if (!response) throw err;
    return { status: response.status, headers: response.headers, problem: JSON.parse(await response.text()) as Record<string, unknown>, error: err as Error };
  }
  throw new Error('expected a rejection');
}

async function thrown(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

async function rawPost(body: string, headers: Record<string, string> = {}) {
  const authorization = `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}`;
  const response = await fetch(`${sim.baseUrl}/v1/messages`, {
    method: 'POST', headers: { authorization, 'content-type': 'application/json', ...headers }, body,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), json: (await response.json()) as Record<string, unknown> };
}

function verifiedClaims(authorization: string | undefined, rawBody: string, secret = sim.signatureSecret): Record<string, unknown> {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as Record<string, unknown>;
  expect(claims.payload_hash).toBe(createHash('sha256').update(rawBody).digest('hex'));
  return claims;
}

describe('Vonage simulator: Messages API v1, WhatsApp channel', () => {
  it('accepts a text inside the window from the SDK with Basic auth: 202 and a message_uuid', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    const { messageUUID } = await basicClient().messages.send(text());
    expect(messageUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.messages).toHaveLength(1);
    expect(sim.messages[0]).toMatchObject({
      messageUuid: messageUUID, messageType: 'text', to: CONTACT, from: BUSINESS, text: 'Hello', clientRef: 'ref-1', authMethod: 'basic',
    });
    expect(sim.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(sim.requests[0]?.json).toEqual({ channel: 'whatsapp', message_type: 'text', to: CONTACT, from: BUSINESS, text: 'Hello', client_ref: 'ref-1' });
  });

  it('accepts the SDK\'s JWT (RS256, application key) and refuses one signed by another key', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    await jwtClient().messages.send(text());
    expect(sim.messages[0]?.authMethod).toBe('jwt');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = await refusal(jwtClient(other).messages.send(text()));
    expect(refused.status).toBe(401);
  });

  it('refuses wrong or missing credentials with Vonage\'s 401 problem body', async () => {
    const refused = await refusal(basicClient('wrong-secret').messages.send(text()));
    expect(refused.status).toBe(401);
    expect(refused.problem).toMatchObject({
      type: 'https://developer.vonage.com/api-errors#unauthorized', title: 'Unauthorized', detail: 'You did not provide correct credentials.',
    });
    expect(refused.problem.instance).toMatch(/^[0-9a-f]{32}$/);
    const anonymous = await fetch(`${sim.baseUrl}/v1/messages`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    expect(sim.messages).toEqual([]);
  });

  it('refuses free-form text outside the 24-hour window with 1340, and accepts templates there', async () => {
    const refused = await refusal(basicClient().messages.send(text()));
    expect(refused.status).toBe(422);
    expect(refused.problem).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1340', title: 'Outside Allowed Window' });

    await basicClient().messages.send({
      channel: 'whatsapp', messageType: 'template', to: CONTACT, from: BUSINESS,
      template: { name: 'appointment_reminder', parameters: ['Ada', 'Tuesday'] },
      whatsapp: { policy: 'deterministic', locale: 'en_US' },
    } as SendParams);
    await basicClient().messages.send({
      channel: 'whatsapp', messageType: 'custom', to: CONTACT, from: BUSINESS,
      custom: {
        type: 'template',
        template: {
          name: 'welcome', language: { policy: 'deterministic', code: 'de' },
          components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ada' }] }],
        },
      },
    } as SendParams);
    expect(sim.messages.map((m) => m.template)).toEqual([
      { name: 'appointment_reminder', language: 'en_US', parameters: ['Ada', 'Tuesday'], namedParameters: {} },
      { name: 'welcome', language: 'de', parameters: [], namedParameters: { first_name: 'Ada' } },
    ]);
  });

  it('keeps the window open for 24 hours after the contact last wrote', async () => {
    sim.contactWrote(CONTACT, BUSINESS, new Date(Date.now() - 23 * HOUR_MS));
    expect(sim.isWindowOpen(CONTACT, BUSINESS)).toBe(true);
    sim.reset();
    sim.contactWrote(CONTACT, BUSINESS, new Date(Date.now() - 25 * HOUR_MS));
    expect(sim.isWindowOpen(CONTACT, BUSINESS)).toBe(false);
    expect((await refusal(basicClient().messages.send(text()))).status).toBe(422);
    // Each business number has its own window with the contact.
    sim.contactWrote(CONTACT, '15550102');
    expect(sim.isWindowOpen(CONTACT, BUSINESS)).toBe(false);
  });

  it('accepts media messages with a caption', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    await basicClient().messages.send({ channel: 'whatsapp', messageType: 'image', to: CONTACT, from: BUSINESS, image: { url: 'https://media.example.com/a.jpg', caption: 'Look' } } as SendParams);
    expect(sim.messages[0]?.media).toEqual({ kind: 'image', url: 'https://media.example.com/a.jpg', caption: 'Look' });
  });

  it.each([
    ['a + in to', { to: `+${CONTACT}` }, 'to'],
    ['a too short to', { to: '1555' }, 'to'],
    ['an empty text', { text: '' }, 'text'],
    ['an unknown message_type', { messageType: 'hologram' }, 'message_type'],
    ['another channel', { channel: 'sms' }, 'channel'],
    ['a client_ref over 100 characters', { clientRef: 'x'.repeat(101) }, 'client_ref'],
    ['a non-URL webhook_url', { webhookUrl: 'not a url' }, 'webhook_url'],
  ])('refuses %s with 1150 and the parameter in invalid_parameters', async (_case, overrides, parameter) => {
    sim.contactWrote(CONTACT, BUSINESS);
    const refused = await refusal(basicClient().messages.send(text(overrides as Partial<SendParams>)));
    expect(refused.status).toBe(422);
    expect(refused.problem).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params' });
    expect(refused.problem.invalid_parameters).toContainEqual(expect.objectContaining({ name: parameter }));
    expect(sim.messages).toEqual([]);
  });

  it('refuses an audio caption, an unknown sender (1120) and a refused recipient', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    const audio = await refusal(basicClient().messages.send({ channel: 'whatsapp', messageType: 'audio', to: CONTACT, from: BUSINESS, audio: { url: 'https://media.example.com/a.mp3', caption: 'x' } } as SendParams));
    expect(audio.problem.invalid_parameters).toEqual([{ name: 'audio.caption', reason: 'Not allowed for audio' }]);
    const sender = await refusal(basicClient().messages.send(text({ from: '15550150' })));
    expect(sender).toMatchObject({ status: 422, problem: { type: 'https://developer.vonage.com/api-errors/messages#1120', title: 'Invalid sender' } });
    const recipient = await refusal(basicClient().messages.send(text({ to: '15550199' })));
    expect(recipient.problem.invalid_parameters).toEqual([{ name: 'to', reason: 'Invalid phone number: not a valid destination' }]);
  });

  it('answers invalid JSON with 400 and unknown paths with 404, as problem bodies', async () => {
    const invalid = await rawPost('{not json');
    expect(invalid).toMatchObject({ status: 400, contentType: 'application/problem+json', json: { title: 'Invalid JSON' } });
    const missing = await fetch(`${sim.baseUrl}/v0.1/messages`, { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('refuses templates the account has not approved when given a list', async () => {
    const strict = new VonageSimulator({ approvedTemplates: ['welcome'], privateKey: sim.privateKey });
    await strict.start();
    try {
      const client = new Vonage({ apiKey: strict.apiKey, apiSecret: strict.apiSecret }, { apiHost: strict.baseUrl });
      const template = (name: string) => ({ channel: 'whatsapp', messageType: 'template', to: CONTACT, from: BUSINESS, template: { name, parameters: [] }, whatsapp: { policy: 'deterministic', locale: 'en' } }) as SendParams;
      await client.messages.send(template('welcome'));
      const refused = await refusal(client.messages.send(template('other')));
      expect(refused.problem).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1022' });
    } finally {
      await strict.stop();
    }
  });
});

describe('Vonage simulator: status webhooks', () => {
  it('reports submitted → delivered → read to the message\'s webhook_url, each signed', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    const url = `${receiver.baseUrl}/status?agent=a1`;
    const { messageUUID } = await basicClient().messages.send(text({ webhookUrl: url, webhookVersion: 'v1' }));
    await sim.settled();
    expect(receiver.received.map((hook) => JSON.parse(hook.rawBody) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ message_uuid: messageUUID, status: 'submitted', to: CONTACT, from: BUSINESS, channel: 'whatsapp', client_ref: 'ref-1' }),
      expect.objectContaining({ message_uuid: messageUUID, status: 'delivered' }),
      expect.objectContaining({ message_uuid: messageUUID, status: 'read' }),
    ]);
    for (const hook of receiver.received) {
      expect(hook.url).toBe(url);
      expect(hook.headers['content-type']).toBe('application/json');
      const claims = verifiedClaims(hook.headers.authorization, hook.rawBody);
      expect(claims).toMatchObject({ iss: 'Vonage', api_key: sim.apiKey, application_id: sim.applicationId });
      expect(typeof claims.jti).toBe('string');
      expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    }
    expect(sim.messages[0]?.status).toBe('read');
    expect(sim.webhooks.map((w) => [w.kind, w.status])).toEqual([['status', 200], ['status', 200], ['status', 200]]);
  });

  it('falls back to the application status URL, and plays rejected and undelivered deliveries with an error', async () => {
    sim.statusUrl = `${receiver.baseUrl}/app-status`;
    try {
      sim.contactWrote(CONTACT, BUSINESS);
      sim.failDelivery({ status: 'rejected', errorCode: 1340 });
      await basicClient().messages.send(text());
      sim.failDelivery();
      await basicClient().messages.send(text());
      await sim.settled();
      const bodies = receiver.received.map((hook) => JSON.parse(hook.rawBody) as Record<string, unknown>);
      expect(bodies.map((b) => b.status)).toEqual(['rejected', 'submitted', 'undelivered']);
      expect(bodies[0]?.error).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1340', title: 1340 });
      expect(bodies[2]?.error).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1300', title: 1300 });
    } finally {
      sim.statusUrl = null;
    }
  });

  it('builds status webhooks for any message on demand', () => {
    const hook = sim.buildStatus({ url: 'https://comms.example.com/s', messageUuid: 'm-1', status: 'undelivered', errorCode: 1300, to: `+${CONTACT}` });
    expect(JSON.parse(hook.rawBody)).toMatchObject({ message_uuid: 'm-1', status: 'undelivered', to: CONTACT, from: BUSINESS, error: { title: 1300 } });
    verifiedClaims(hook.headers.authorization, hook.rawBody);
  });
});

describe('Vonage simulator: inbound messages', () => {
  it('POSTs an inbound WhatsApp text the way Vonage does, signed, and opens the window', async () => {
    const url = `${receiver.baseUrl}/inbound`;
    const answer = await sim.injectInbound({ url, from: `+${CONTACT}`, to: `+${BUSINESS}`, text: 'Hi there', profileName: 'Ada' });
    expect(answer.status).toBe(200);
    const hook = receiver.received[0];
    if (!hook) throw new Error('nothing received');
    expect(JSON.parse(hook.rawBody)).toEqual({
      channel: 'whatsapp', message_uuid: answer.messageUuid, to: BUSINESS, from: CONTACT, timestamp: expect.stringMatching(/Z$/),
      profile: { name: 'Ada' }, context_status: 'none', message_type: 'text', text: 'Hi there',
    });
    verifiedClaims(hook.headers.authorization, hook.rawBody);
    expect(sim.isWindowOpen(CONTACT, BUSINESS)).toBe(true);
    await basicClient().messages.send(text());
    expect(sim.messages).toHaveLength(1);
  });

  it('builds media messages with their caption', () => {
    const hook = sim.buildInbound({ url: 'https://comms.example.com/in', from: CONTACT, to: BUSINESS, media: { type: 'image', url: 'https://media.example.com/1.jpg', caption: 'look' } });
    expect(JSON.parse(hook.rawBody)).toMatchObject({ message_type: 'image', image: { url: 'https://media.example.com/1.jpg', caption: 'look' } });
  });

  it('signs badly on request: forged, missing, tampered body, stale iat', () => {
    const build = (signature: 'forged' | 'missing' | 'tampered' | 'stale') =>
      sim.buildInbound({ url: 'https://comms.example.com/in', from: CONTACT, to: BUSINESS, text: 'original', signature });
    const forged = build('forged');
    expect(() => verifiedClaims(forged.headers.authorization, forged.rawBody)).toThrow();
    expect(build('missing').headers.authorization).toBeUndefined();
    const tampered = build('tampered');
    expect(JSON.parse(tampered.rawBody)).toMatchObject({ text: 'original (altered)' });
    const claims = jwt.verify(tampered.headers.authorization?.replace('Bearer ', '') ?? '', sim.signatureSecret) as Record<string, unknown>;
    expect(claims.payload_hash).not.toBe(createHash('sha256').update(tampered.rawBody).digest('hex'));
    const stale = build('stale');
    const staleClaims = verifiedClaims(stale.headers.authorization, stale.rawBody);
    expect(Date.now() / 1000 - (staleClaims.iat as number)).toBeGreaterThanOrEqual(STALE_SIGNATURE_AGE_SECONDS - 1);
  });
});

describe('Vonage simulator: faults', () => {
  it('answers 500 and 429 with Retry-After once each, then recovers', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    sim.failNext({ status: 500 });
    sim.failNext({ status: 429, retryAfterSeconds: 4 });
    const serverError = await refusal(basicClient().messages.send(text()));
    expect(serverError).toMatchObject({ status: 500, problem: { title: 'Internal error' } });
    const limited = await refusal(basicClient().messages.send(text()));
    expect(limited).toMatchObject({ status: 429, problem: { title: 'Rate Limit Hit' } });
    expect(limited.headers.get('retry-after')).toBe('4');
    await basicClient().messages.send(text());
    expect(sim.messages).toHaveLength(1);
    expect(sim.requests).toHaveLength(3);
  });

  it('hangs (the SDK times out) and drops connections (socket hang up)', async () => {
    sim.contactWrote(CONTACT, BUSINESS);
    sim.hangNext();
    expect((await thrown(basicClient(sim.apiSecret, 200).messages.send(text()))).name).toBe('AbortError');
    sim.dropNext();
    expect(await thrown(basicClient().messages.send(text()))).toMatchObject({ name: 'FetchError', code: 'ECONNRESET' });
    expect(sim.messages).toEqual([]);
  });
});

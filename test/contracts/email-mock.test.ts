import { describe, expect, it } from 'vitest';
import mockEmailPlugin from '../../adapters/mock/email-plugin.js';
import { MockEmail, type MockSentEmail } from '../../adapters/mock/mock-email.js';
import { MOCK_SIGNATURE_HEADER, signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { describeEmailContract, type EmailHarness, type FarSideMail, type WebhookSigning } from '../../contracts/email.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { emailTestContext, type EmailTestContext } from './email-plugin-context.js';

const SECRET = 'contract-mock-email-secret-8c1e';
const WEBHOOK_URL = 'https://comms.example.com/webhooks/email';

function farSide(email: MockSentEmail): FarSideMail {
  const recipients = new Set([...email.to, ...(email.cc ?? [])]);
  return {
    from: email.from,
    to: [...email.to],
    cc: [...(email.cc ?? [])],
    bcc: (email.bcc ?? []).filter((address) => !recipients.has(address)),
    replyTo: [...(email.replyTo ?? [])],
    subject: email.subject,
    text: email.text ?? null,
    html: email.html ?? null,
    attachments: (email.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType ?? 'application/octet-stream', content: a.content })),
    headers: Object.fromEntries(Object.entries(email.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
}

/** A demo webhook: JSON, signed with x-mock-signature over url + raw body (it has no timestamp, so nothing is stale). */
function signedJson(body: unknown, signing: WebhookSigning): WebhookRequest | null {
  if (signing === 'stale') return null;
  const rawBody = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signing !== 'missing') headers[MOCK_SIGNATURE_HEADER] = signMockWebhook(signing === 'valid' ? SECRET : 'not-the-secret', WEBHOOK_URL, rawBody);
  return { url: WEBHOOK_URL, method: 'POST', headers, rawBody, params: {} };
}

async function buildMock(context: EmailTestContext): Promise<MockEmail> {
  const port = await mockEmailPlugin.create({ webhookSecret: SECRET }, context.ctx);
  if (!(port instanceof MockEmail)) throw new Error('the mock email plugin must build a MockEmail');
  return port;
}

let contractContext: EmailTestContext;

describeEmailContract({
  name: 'mock (demo mode)',
  capabilities: { inboundWebhook: true, attachments: true, idempotencyKeys: true },
  faults: ['server-error', 'rate-limit', 'timeout'],
  async factory() {
    contractContext = emailTestContext();
    const port = await buildMock(contractContext);
    let inboundCounter = 0;
    const harness: EmailHarness = {
      secrets: [SECRET],
      rateLimitRetryAfterSeconds: 1,
      received: async () => port.sent.map(farSide),
      injectFault: (fault) => port.injectFault(fault === 'server-error' || fault === 'rate-limit' || fault === 'timeout' ? fault : null),
      inboundWebhook: async (mail, signing) => signedJson({
        type: 'email.received',
        data: {
          providerMessageId: `MOCKIN-contract-${(inboundCounter += 1)}`,
          from: mail.from, to: mail.to, cc: mail.cc ?? [], subject: mail.subject, text: mail.text, html: mail.html ?? null,
          attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.byteLength })),
        },
      }, signing),
      statusWebhook: async (providerMessageId, outcome) => {
        const signed = signedJson({ type: outcome === 'delivered' ? 'email.delivered' : 'email.bounced', data: { providerMessageId } }, 'valid');
        if (!signed) throw new Error('valid signing always builds');
        return signed;
      },
    };
    return { port, harness };
  },
  async teardown() {
    contractContext.dispose();
  },
});

describe('mock email adapter: beyond the contract', () => {
  it('records what it sent and answers sent, never touching the network', async () => {
    const context = emailTestContext();
    const port = await buildMock(context);
    const result = await port.send({ from: 'agent@example.com', to: ['a@example.com'], subject: 's', text: 't', reference: 'msg_1' });
    expect(result.status).toBe('sent');
    expect(port.sent).toEqual([expect.objectContaining({ providerMessageId: result.providerMessageId, reference: 'msg_1', sentAt: expect.any(Date) })]);
    context.dispose();
  });

  it('verifies the default demo secret when none is configured', async () => {
    const context = emailTestContext();
    const port = await mockEmailPlugin.create({}, context.ctx);
    const rawBody = '{"type":"email.delivered","data":{"providerMessageId":"x"}}';
    const request: WebhookRequest = { url: WEBHOOK_URL, method: 'POST', headers: { [MOCK_SIGNATURE_HEADER]: signMockWebhook('demo-secret', WEBHOOK_URL, rawBody) }, rawBody, params: {} };
    expect(port.verifyWebhook(request)).toBe(true);
    expect(port.verifyWebhook({ ...request, url: `${WEBHOOK_URL}?agent=other` })).toBe(false);
    expect(await port.parseWebhook(request)).toEqual([{ kind: 'status', providerMessageId: 'x', status: 'delivered', errorCode: null }]);
    context.dispose();
  });

  it('refuses malformed demo webhooks with INVALID_INPUT and ignores unknown types', async () => {
    const context = emailTestContext();
    const port = await buildMock(context);
    const request = (rawBody: string): WebhookRequest => ({ url: WEBHOOK_URL, method: 'POST', headers: {}, rawBody, params: {} });
    await expect(port.parseWebhook(request('{"type":"email.received","data":{"to":["a@example.com"]}}'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(port.parseWebhook(request('{"type":"email.received","data":{"from":"a@example.com","to":[1]}}'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(port.parseWebhook(request('{"type":"email.received"}'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await port.parseWebhook(request('{"type":"email.opened","data":{}}'))).toEqual([]);
    context.dispose();
  });

  it('is an email plugin named mock', () => {
    expect(mockEmailPlugin).toMatchObject({ apiVersion: 1, port: 'email', id: 'mock', secrets: ['webhookSecret'] });
  });
});

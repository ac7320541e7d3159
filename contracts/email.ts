import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailCapabilities, EmailEvent, EmailPort, InboundEmail, SendEmailRequest } from '../ports/email.js';
import { isDomainError, type DomainError, type ErrorCode } from '../ports/errors.js';
import type { WebhookRequest } from '../ports/webhook.js';
import { fitsDeclaredKinds } from './webhook-kinds.js';

/** One mail as the far side (the provider, or the receiving SMTP server) got it. Addresses are bare (`a@example.com`). */
export interface FarSideMail {
  from: string;
  to: string[];
  cc: string[];
  /** Recipients that were not in To/Cc (the envelope's extra recipients, or the provider's `bcc`). */
  bcc: string[];
  replyTo: string[];
  subject: string;
  /**
   * Text and html as received. A single-part MIME body always ends with a line break on the wire, so the suite
   * ignores one final line break; everything else must match exactly.
   */
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string; contentType: string; content: Uint8Array }>;
  /** The caller's extra headers as the far side saw them, names lower-cased. */
  headers: Record<string, string>;
}

/** Mail from the outside world to one of our mailboxes, as the suite asks a harness to deliver it. */
export interface InboundMailInput {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
}

/** Failures the far side can play instead of accepting mail. */
export type EmailFault = 'server-error' | 'rate-limit' | 'timeout' | 'unreachable' | 'auth-failure';
export const EMAIL_FAULTS: readonly EmailFault[] = ['server-error', 'rate-limit', 'timeout', 'unreachable', 'auth-failure'];

/**
 * How an inbound webhook is signed: correctly, by someone without the secret, correctly but long ago,
 * or not at all. (Tampering with a correctly signed body is done by the suite itself.)
 */
export type WebhookSigning = 'valid' | 'forged' | 'stale' | 'missing';

/** Lets the suite observe and drive the far side of an adapter without knowing which provider it is. */
export interface EmailHarness {
  /** Credentials the adapter was built with: no error may reveal them. */
  secrets: readonly string[];
  /** The Retry-After the injected rate limit announces, when the far side announces one. */
  rateLimitRetryAfterSeconds?: number;
  /** Every mail the far side accepted so far, oldest first. */
  received(): Promise<FarSideMail[]>;
  /**
   * Makes every following send fail that way, until called with `null`. Only called for the faults listed in the
   * contract's `faults`.
   */
  injectFault(fault: EmailFault | null): void | Promise<void>;
  /**
   * `inboundWebhook` adapters: the HTTP request the provider sends when `mail` arrives, signed as asked.
   * Null when this provider's signature cannot express the case (e.g. it has no timestamp, so nothing is stale).
   */
  inboundWebhook?(mail: InboundMailInput, signing: WebhookSigning): Promise<WebhookRequest | null>;
  /** `inboundWebhook` adapters that report delivery: the signed webhook saying a sent message was delivered or bounced. */
  statusWebhook?(providerMessageId: string, outcome: 'delivered' | 'bounced'): Promise<WebhookRequest>;
  /**
   * Push adapters (`inboundWebhook: false`): delivers `mail` from outside and resolves with the `InboundEmail` the
   * adapter then pushed to `ProviderEventSink.emailReceived`.
   */
  deliverInbound?(mail: InboundMailInput): Promise<InboundEmail>;
}

export interface EmailContractOptions {
  name: string;
  /** A fresh, isolated adapter and far side for each test. */
  factory: () => Promise<{ port: EmailPort; harness: EmailHarness }>;
  /** Runs after each test, once the port is closed. */
  teardown?: () => Promise<void>;
  /** What the adapter declares; the suite skips what it cannot do. */
  capabilities: EmailCapabilities;
  /** Faults the harness can play (default: all of them). */
  faults?: readonly EmailFault[];
  /**
   * Whether what authenticates an inbound webhook covers its body (default true). SendGrid's Inbound Parse is not
   * signed, only authenticated (basic auth, a secret in the URL): a body changed in transit cannot be told apart.
   */
  inboundAuthCoversBody?: boolean;
}

const FROM = 'agent@example.com';
const OK_STATUSES = ['accepted', 'queued', 'sending', 'sent', 'delivered'];
/** Every byte value, so that any re-encoding on the way shows. */
const BINARY = Uint8Array.from({ length: 256 }, (_, index) => index);

let referenceCounter = 0;

function request(overrides: Partial<SendEmailRequest> = {}): SendEmailRequest {
  referenceCounter += 1;
  return {
    from: FROM,
    to: ['alice@example.com'],
    subject: 'Contract check',
    text: 'Hello from the email contract.',
    reference: `msg_contract_${referenceCounter}`,
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (isDomainError(err)) return err;
    throw new Error(`expected a DomainError, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}

/** A DomainError with this code, a next step for the caller, and no credential anywhere in it. */
function expectUsefulFailure(failure: DomainError, code: ErrorCode, secrets: readonly string[]): void {
  expect(failure.code).toBe(code);
  expect(typeof failure.nextStep === 'string' && failure.nextStep.length > 0, 'nextStep tells the caller what to do').toBe(true);
  const visible = JSON.stringify({ message: failure.message, nextStep: failure.nextStep, details: failure.details, stack: failure.stack });
  for (const secret of secrets) expect(visible.includes(secret), 'an error reveals a credential').toBe(false);
}

/** The far side's text or html without the one line break that ends a single-part MIME body on the wire. */
function body(value: string | null | undefined): string | null {
  return typeof value === 'string' ? value.replace(/\r?\n$/, '') : null;
}

/** A far-side mail with its bodies as the suite compares them. */
function comparable(mail: FarSideMail | undefined): FarSideMail | undefined {
  return mail ? { ...mail, text: body(mail.text), html: body(mail.html) } : undefined;
}

function bytesOf(content: Uint8Array): number[] {
  return Array.from(content);
}

/** The published behaviour of every `email` adapter. Call it from a vitest file with a factory for your adapter. */
export function describeEmailContract(options: EmailContractOptions): void {
  const { capabilities } = options;
  const faults = new Set(options.faults ?? EMAIL_FAULTS);

  describe(`email contract: ${options.name}`, () => {
    let port: EmailPort;
    let harness: EmailHarness;

    beforeEach(async () => {
      ({ port, harness } = await options.factory());
    });
    afterEach(async () => {
      await port.close?.();
      await options.teardown?.();
    });

    it('declares the capabilities it was registered with', () => {
      expect(port.capabilities).toEqual(capabilities);
    });

    describe('send', () => {
      it('delivers a plain-text mail to the far side exactly as asked', async () => {
        const result = await port.send(request({ subject: 'Plain hello', text: 'Line one\nLine two' }));
        expect(typeof result.providerMessageId).toBe('string');
        expect(result.providerMessageId.length).toBeGreaterThan(0);
        expect(OK_STATUSES).toContain(result.status);
        const mails = await harness.received();
        expect(mails).toHaveLength(1);
        expect(comparable(mails[0])).toMatchObject({
          from: FROM, to: ['alice@example.com'], cc: [], bcc: [], subject: 'Plain hello', text: 'Line one\nLine two',
        });
      });

      it('keeps every recipient list, reply-to, html, text, non-ASCII text and extra headers', async () => {
        await port.send(request({
          to: ['alice@example.com', 'bob@example.com'],
          cc: ['carol@example.com'],
          bcc: ['dave@example.com', 'erin@example.com'],
          replyTo: ['replies@example.com'],
          subject: 'Grüße — résumé ✓',
          text: 'Plain part: naïve café ☕',
          html: '<p>HTML part: <strong>naïve café</strong> ☕</p>',
          headers: { 'X-Contract-Check': 'yes' },
        }));
        const [mail] = await harness.received();
        expect(comparable(mail)).toMatchObject({
          from: FROM,
          to: ['alice@example.com', 'bob@example.com'],
          cc: ['carol@example.com'],
          replyTo: ['replies@example.com'],
          subject: 'Grüße — résumé ✓',
          text: 'Plain part: naïve café ☕',
          html: '<p>HTML part: <strong>naïve café</strong> ☕</p>',
        });
        expect([...(mail?.bcc ?? [])].sort()).toEqual(['dave@example.com', 'erin@example.com']);
        expect(mail?.headers['x-contract-check']).toBe('yes');
      });

      it('carries the threading headers core gives: Message-ID, In-Reply-To and References', async () => {
        await port.send(request({
          to: ['alice@example.com'], subject: 'Re: Booking', text: 'Answer',
          headers: { 'Message-ID': '<msg_contract@example.com>', 'In-Reply-To': '<parent@example.com>', References: '<root@example.com> <parent@example.com>' },
        }));
        const [mail] = await harness.received();
        expect(mail?.headers['message-id']).toBe('<msg_contract@example.com>');
        expect(mail?.headers['in-reply-to']).toBe('<parent@example.com>');
        expect(mail?.headers.references).toBe('<root@example.com> <parent@example.com>');
      });

      it('sends an html-only mail', async () => {
        await port.send(request({ text: undefined, html: '<h1>Only HTML</h1>' }));
        const [mail] = await harness.received();
        expect(body(mail?.html)).toBe('<h1>Only HTML</h1>');
      });

      it.skipIf(!capabilities.attachments)('carries attachments byte for byte, with filename and type', async () => {
        await port.send(request({
          attachments: [
            { filename: 'all-bytes.bin', contentType: 'application/octet-stream', content: BINARY },
            { filename: 'notes.txt', contentType: 'text/plain', content: new TextEncoder().encode('Notes: ünïcödé\r\n') },
          ],
        }));
        const [mail] = await harness.received();
        expect(mail?.attachments.map((a) => [a.filename, a.contentType.split(';')[0]])).toEqual([
          ['all-bytes.bin', 'application/octet-stream'],
          ['notes.txt', 'text/plain'],
        ]);
        expect(bytesOf(mail?.attachments[0]?.content ?? new Uint8Array())).toEqual(bytesOf(BINARY));
        expect(new TextDecoder().decode(mail?.attachments[1]?.content)).toBe('Notes: ünïcödé\r\n');
      });

      it('gives each sent mail its own provider id', async () => {
        const first = await port.send(request());
        const second = await port.send(request());
        expect(first.providerMessageId).not.toBe(second.providerMessageId);
        expect(await harness.received()).toHaveLength(2);
      });

      it('refuses a malformed recipient address with INVALID_EMAIL_ADDRESS and sends nothing', async () => {
        const failure = await failureOf(port.send(request({ to: ['not-an-address'] })));
        expectUsefulFailure(failure, 'INVALID_EMAIL_ADDRESS', harness.secrets);
        expect(await harness.received()).toHaveLength(0);
      });
    });

    describe.skipIf(!capabilities.idempotencyKeys)('idempotency keys', () => {
      it('sends once for two identical requests with the same key, and answers the same id', async () => {
        const same = request({ idempotencyKey: 'contract-key-1' });
        const first = await port.send(same);
        const second = await port.send({ ...same });
        expect(second.providerMessageId).toBe(first.providerMessageId);
        expect(await harness.received()).toHaveLength(1);
      });

      it('refuses the same key for a different mail with IDEMPOTENCY_KEY_REUSED', async () => {
        await port.send(request({ idempotencyKey: 'contract-key-2', subject: 'First' }));
        const failure = await failureOf(port.send(request({ idempotencyKey: 'contract-key-2', subject: 'Second' })));
        expect(failure.code).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(await harness.received()).toHaveLength(1);
      });
    });

    describe('provider failures', () => {
      const cases: Array<[EmailFault, ErrorCode]> = [
        ['server-error', 'PROVIDER_UNAVAILABLE'],
        ['rate-limit', 'RATE_LIMITED'],
        ['timeout', 'PROVIDER_TIMEOUT'],
        ['unreachable', 'PROVIDER_UNAVAILABLE'],
        ['auth-failure', 'PROVIDER_AUTH_FAILED'],
      ];
      for (const [fault, code] of cases) {
        it.skipIf(!faults.has(fault))(`maps ${fault} to ${code}, and sends normally once it clears`, async () => {
          await harness.injectFault(fault);
          const failure = await failureOf(port.send(request({ subject: `During ${fault}` })));
          expectUsefulFailure(failure, code, harness.secrets);
          if (code === 'RATE_LIMITED') {
            const wait = failure.details.retryAfterSeconds;
            if (harness.rateLimitRetryAfterSeconds !== undefined) expect(wait).toBe(harness.rateLimitRetryAfterSeconds);
            else if (wait !== undefined) expect(typeof wait === 'number' && wait >= 0).toBe(true);
          }
          await harness.injectFault(null);
          await port.send(request({ subject: `After ${fault}` }));
          const subjects = (await harness.received()).map((m) => m.subject);
          expect(subjects).toContain(`After ${fault}`);
          if (fault !== 'timeout') expect(subjects).not.toContain(`During ${fault}`);
        });
      }
    });

    const inboundMail: InboundMailInput = {
      from: 'customer@example.com',
      to: ['agent@example.com'],
      cc: ['team@example.com'],
      subject: 'Re: your order — ✓',
      text: 'Thanks, that works for me.',
      html: '<p>Thanks, that works for me.</p>',
      attachments: [{ filename: 'receipt.pdf', contentType: 'application/pdf', content: BINARY }],
    };

    function expectInbound(email: InboundEmail | undefined, mail: InboundMailInput): void {
      expect(email).toBeDefined();
      expect(typeof email?.providerMessageId).toBe('string');
      expect(email?.providerMessageId.length).toBeGreaterThan(0);
      expect(email).toMatchObject({ from: mail.from, to: mail.to, cc: mail.cc ?? [], subject: mail.subject });
      expect(body(email?.html)).toBe(mail.html ?? null);
      expect(body(email?.text)).toBe(mail.text);
      if (capabilities.attachments) {
        expect(email?.attachments).toEqual((mail.attachments ?? []).map((a) => ({
          filename: a.filename, contentType: a.contentType, size: a.content.byteLength,
        })));
      }
    }

    describe.skipIf(!capabilities.inboundWebhook)('inbound by webhook', () => {
      async function webhook(signing: WebhookSigning, mail: InboundMailInput = inboundMail): Promise<WebhookRequest | null> {
        if (!harness.inboundWebhook) throw new Error('an inboundWebhook adapter needs harness.inboundWebhook');
        return harness.inboundWebhook(mail, signing);
      }

      it('accepts a correctly signed inbound webhook and parses the mail', async () => {
        const signed = await webhook('valid');
        expect(signed).not.toBeNull();
        if (!signed) return;
        expect(port.verifyWebhook(signed)).toBe(true);
        expect(fitsDeclaredKinds(port.webhookKinds, signed), 'the webhook fits the kinds the adapter declares').toBe(true);
        const events = await port.parseWebhook(signed);
        expect(events).toHaveLength(1);
        expect(events[0]?.kind).toBe('received');
        expectInbound(events[0]?.kind === 'received' ? events[0].email : undefined, inboundMail);
      });

      it('parses a text-only inbound mail with html null', async () => {
        const textOnly: InboundMailInput = { from: 'bob@example.com', to: ['agent@example.com'], subject: 'Short', text: 'Just text' };
        const signed = await webhook('valid', textOnly);
        if (!signed) throw new Error('valid signing is required');
        const [event] = await port.parseWebhook(signed);
        expectInbound(event?.kind === 'received' ? event.email : undefined, textOnly);
      });

      it.skipIf(options.inboundAuthCoversBody === false)('rejects a body changed after signing', async () => {
        const signed = await webhook('valid');
        if (!signed) throw new Error('valid signing is required');
        const rawBody = signed.rawBody.includes('your order') ? signed.rawBody.replace('your order', 'your 0rder') : `${signed.rawBody} `;
        expect(port.verifyWebhook({ ...signed, rawBody })).toBe(false);
      });

      for (const signing of ['forged', 'stale', 'missing'] as const) {
        it(`rejects a ${signing} signature`, async (context) => {
          const signed = await webhook(signing);
          if (!signed) {
            context.skip();
            return;
          }
          expect(port.verifyWebhook(signed)).toBe(false);
        });
      }

      it('rejects a request with no headers at all', async () => {
        const signed = await webhook('valid');
        if (!signed) throw new Error('valid signing is required');
        expect(port.verifyWebhook({ ...signed, headers: {} })).toBe(false);
      });

      it('reports delivered and bounced mail as status events', async (context) => {
        if (!harness.statusWebhook) {
          context.skip();
          return;
        }
        const sending = request();
        const sent = await port.send(sending);
        const delivered = await harness.statusWebhook(sent.providerMessageId, 'delivered');
        expect(port.verifyWebhook(delivered)).toBe(true);
        expect(fitsDeclaredKinds(port.webhookKinds, delivered), 'the webhook fits the kinds the adapter declares').toBe(true);
        const events = await port.parseWebhook(delivered);
        expect(events).toMatchObject([
          { kind: 'status', providerMessageId: sent.providerMessageId, status: 'delivered', errorCode: null },
        ] satisfies EmailEvent[]);
        // A provider that echoes our reference must echo the one we sent.
        if (events[0]?.kind === 'status' && events[0].reference != null) expect(events[0].reference).toBe(sending.reference);
        const bounced = await harness.statusWebhook(sent.providerMessageId, 'bounced');
        expect(port.verifyWebhook(bounced)).toBe(true);
        const [event] = await port.parseWebhook(bounced);
        if (event?.kind !== 'status') throw new Error('a bounce must parse to a status event');
        expect(event.providerMessageId).toBe(sent.providerMessageId);
        expect(['undelivered', 'failed']).toContain(event.status);
        expect(event.errorCode).toEqual(expect.any(String));
      });

      it('answers false, never throws, for malformed requests', async () => {
        const signed = await webhook('valid');
        if (!signed) throw new Error('valid signing is required');
        // Whether the URL is signed depends on the provider; only throwing is wrong.
        expect(() => port.verifyWebhook({ ...signed, url: 'not a url' })).not.toThrow();
        expect(port.verifyWebhook({ url: 'https://comms.example.com/x', method: 'POST', headers: {}, rawBody: '', params: {} })).toBe(false);
        const garbled = Object.fromEntries(Object.keys(signed.headers).map((name) => [name, 'garbage']));
        expect(port.verifyWebhook({ ...signed, headers: garbled })).toBe(false);
      });

      it('refuses a body that is not a webhook of its provider with INVALID_INPUT', async () => {
        const failure = await failureOf(port.parseWebhook({
          url: 'https://comms.example.com/webhooks/email', method: 'POST', headers: {}, rawBody: 'not json', params: {},
        }));
        expect(failure.code).toBe('INVALID_INPUT');
      });

      it('answers the provider with a fixed reply', () => {
        const reply = port.webhookReply();
        expect(reply.contentType).toMatch(/^[\w.+-]+\/[\w.+-]+/);
        expect(typeof reply.body).toBe('string');
      });
    });

    describe.skipIf(capabilities.inboundWebhook)('inbound by push', () => {
      it('pushes an arriving mail to the event sink, parsed', async () => {
        if (!harness.deliverInbound) throw new Error('a push adapter needs harness.deliverInbound');
        expectInbound(await harness.deliverInbound(inboundMail), inboundMail);
      });

      it('pushes a text-only mail with html null', async () => {
        if (!harness.deliverInbound) throw new Error('a push adapter needs harness.deliverInbound');
        const textOnly: InboundMailInput = { from: 'bob@example.com', to: ['agent@example.com'], subject: 'Short', text: 'Just text' };
        expectInbound(await harness.deliverInbound(textOnly), textOnly);
      });

      it('never accepts a webhook', async () => {
        const request: WebhookRequest = {
          url: 'https://comms.example.com/webhooks/email', method: 'POST',
          headers: { 'content-type': 'application/json' }, rawBody: '{"type":"email.received"}', params: {},
        };
        expect(port.verifyWebhook(request)).toBe(false);
        expect(await port.parseWebhook(request)).toEqual([]);
      });
    });
  });
}

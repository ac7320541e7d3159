import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addressesOf } from '../../adapters/smtp/inbound-email-from-mime.js';
import smtpPlugin from '../../adapters/smtp/plugin.js';
import { smtpErrorMapper } from '../../adapters/smtp/smtp-error-mapping.js';
import { SmtpEmail } from '../../adapters/smtp/smtp-email.js';
import type { SmtpOptions } from '../../adapters/smtp/smtp-options.js';
import { describeEmailContract, type EmailHarness, type FarSideMail, type InboundMailInput } from '../../contracts/email.js';
import type { InboundEmail } from '../../ports/email.js';
import { RecordingSmtpServer, type RecordedSmtpMail } from '../simulators/smtp/recording-smtp-server.js';
import { emailTestContext, type EmailTestContext } from './email-plugin-context.js';

const TIMEOUT_MS = 500;

function farSide(mail: RecordedSmtpMail): FarSideMail {
  const { parsed } = mail;
  const to = addressesOf(parsed.to);
  const cc = addressesOf(parsed.cc);
  const listed = new Set([...to, ...cc]);
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
    // mailparser splits a References header into its Message-IDs.
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) headers[name.toLowerCase()] = value.join(' ');
  }
  return {
    from: addressesOf(parsed.from)[0] ?? '',
    to,
    cc,
    bcc: mail.envelope.rcptTo.filter((address) => !listed.has(address)),
    replyTo: addressesOf(parsed.replyTo),
    subject: parsed.subject ?? '',
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: new Uint8Array(a.content) })),
    headers,
  };
}

function relayOptions(relay: RecordingSmtpServer, overrides: Partial<SmtpOptions> = {}): SmtpOptions {
  return {
    host: relay.host,
    port: relay.port,
    auth: { user: relay.user, pass: relay.pass },
    // The relay offers STARTTLS with smtp-server's self-signed certificate.
    tls: { rejectUnauthorized: false },
    timeoutMs: TIMEOUT_MS,
    inbound: { host: '127.0.0.1', port: 0, allowedRecipientDomains: ['example.com'], maxMessageBytes: 1_000_000 },
    ...overrides,
  };
}

/** A port nothing listens on any more: connecting to it is refused. */
async function freedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return port;
}

async function buildSmtp(options: SmtpOptions, context: EmailTestContext): Promise<SmtpEmail> {
  const port = await smtpPlugin.create(options, context.ctx);
  if (!(port instanceof SmtpEmail)) throw new Error('the smtp plugin must build an SmtpEmail');
  return port;
}

/** Mails `mail` to the adapter's inbound listener as an outside server would (plain SMTP, no login). */
async function mailToListener(port: SmtpEmail, mail: InboundMailInput & { bcc?: string[] }): Promise<void> {
  const address = port.inboundAddress();
  if (!address) throw new Error('the adapter has no inbound listener');
  const sender = nodemailer.createTransport({ host: address.host, port: address.port, secure: false, ignoreTLS: true, logger: false });
  try {
    await sender.sendMail({
      from: mail.from, to: mail.to, cc: mail.cc, bcc: mail.bcc, subject: mail.subject, text: mail.text, html: mail.html,
      attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
    });
  } finally {
    sender.close();
  }
}

let contractRelay: RecordingSmtpServer;
let contractContext: EmailTestContext;

describeEmailContract({
  name: 'smtp (nodemailer against a real smtp-server on loopback, inbound by its listener)',
  capabilities: { inboundWebhook: false, attachments: true, idempotencyKeys: false },
  async factory() {
    contractRelay = new RecordingSmtpServer();
    await contractRelay.start();
    contractContext = emailTestContext();
    const relay = contractRelay;
    const context = contractContext;
    const port = await buildSmtp(relayOptions(relay), context);
    const harness: EmailHarness = {
      secrets: [relay.pass],
      received: async () => relay.received.map(farSide),
      injectFault: (fault) => {
        relay.fault = fault;
      },
      deliverInbound: async (mail): Promise<InboundEmail> => {
        const before = context.pushedEmails.length;
        await mailToListener(port, mail);
        const pushed = context.pushedEmails[before];
        if (!pushed) throw new Error('the listener accepted the mail but pushed nothing');
        return pushed;
      },
    };
    return { port, harness };
  },
  async teardown() {
    await contractRelay.stop();
    contractContext.dispose();
  },
});

describe('smtp adapter: beyond the contract', () => {
  let relay: RecordingSmtpServer;
  let context: EmailTestContext;
  const opened: SmtpEmail[] = [];

  beforeEach(async () => {
    relay = new RecordingSmtpServer();
    await relay.start();
    context = emailTestContext();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((port) => port.close()));
    await relay.stop();
    context.dispose();
  });

  async function open(overrides: Partial<SmtpOptions> = {}): Promise<SmtpEmail> {
    const port = await buildSmtp(relayOptions(relay, overrides), context);
    opened.push(port);
    return port;
  }

  const mail = { from: 'Agent <agent@example.com>', to: ['alice@example.com'], subject: 'Hi', text: 'Hello', reference: 'msg_01HZY' };

  it('is ready while its inbound listener is bound, and not once it stopped (the /health/ready probe)', async () => {
    const port = await open({ inbound: { host: '127.0.0.1', port: 0, maxMessageBytes: 4096 } });
    await expect(port.readiness()).resolves.toBeUndefined();
    await port.close();
    await expect(port.readiness()).rejects.toThrow('the inbound SMTP listener is not listening');
    const sendOnly = await open({ inbound: undefined });
    await expect(sendOnly.readiness()).resolves.toBeUndefined();
  });

  it('logs in over STARTTLS and uses a Message-ID derived from our reference', async () => {
    const port = await open();
    const result = await port.send(mail);
    expect(result).toEqual({ providerMessageId: '<msg_01HZY@example.com>', status: 'sent' });
    expect(relay.received[0]).toMatchObject({ user: relay.user, secure: true, envelope: { mailFrom: 'agent@example.com', rcptTo: ['alice@example.com'] } });
    expect(relay.received[0]?.parsed.messageId).toBe('<msg_01HZY@example.com>');
  });

  it('reports an unknown mailbox as INVALID_EMAIL_ADDRESS with the server\'s codes', async () => {
    const port = await open();
    await expect(port.send({ ...mail, to: ['nobody@example.com'] })).rejects.toMatchObject({
      code: 'INVALID_EMAIL_ADDRESS', details: { smtpCode: 550, enhancedStatus: '5.1.1', field: 'to' },
    });
  });

  it('sends to the recipients the server accepts when it refuses only some', async () => {
    const port = await open();
    await port.send({ ...mail, to: ['alice@example.com', 'nobody@example.com'] });
    expect(relay.received.map((m) => m.envelope.rcptTo)).toEqual([['alice@example.com']]);
  });

  it('refuses a self-signed certificate unless told otherwise', async () => {
    const port = await open({ tls: { rejectUnauthorized: true } });
    await expect(port.send(mail)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(relay.received).toEqual([]);
  });

  it('checks its credentials by logging in and quitting before any mail; a wrong password or a closed port fails coded', async () => {
    const port = await open({ inbound: undefined });
    expect(await port.checkCredentials()).toBe(`${relay.host}:${relay.port} accepts the login`);
    const wrong = await open({ inbound: undefined, auth: { user: relay.user, pass: 'wrong-password-0123' } });
    const refused = await wrong.checkCredentials().catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(JSON.stringify(refused)).not.toContain('wrong-password-0123');
    const closedPort = await freedPort();
    await expect((await open({ port: closedPort, inbound: undefined })).checkCredentials()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(relay.received).toEqual([]);
  });

  it('reports a closed port as PROVIDER_UNAVAILABLE', async () => {
    const closedPort = await freedPort();
    const port = await open({ port: closedPort, inbound: undefined });
    await expect(port.send(mail)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' } });
  });

  it('pushes mail Bcc\'d to one of our mailboxes with that mailbox in to (other domains\' recipients refused)', async () => {
    const port = await open();
    await mailToListener(port, { from: 'customer@example.com', to: ['someone@elsewhere.example.org'], bcc: ['agent@example.com'], subject: 'FYI', text: 'x' });
    expect(context.pushedEmails.map((e) => e.to)).toEqual([['someone@elsewhere.example.org', 'agent@example.com']]);
    expect(context.pushedEmails[0]?.messageIdHeader).toMatch(/^<.+@example\.com>$/);
  });

  it('refuses recipients outside the allowed domains during the SMTP dialogue', async () => {
    const port = await open();
    await expect(mailToListener(port, { from: 'spammer@example.net', to: ['victim@example.org'], subject: 'relay?', text: 'x' }))
      .rejects.toMatchObject({ responseCode: 550 });
    expect(context.pushedEmails).toEqual([]);
  });

  it('refuses oversized mail with 552 and pushes nothing', async () => {
    const port = await open({ inbound: { host: '127.0.0.1', port: 0, maxMessageBytes: 4096 } });
    await expect(mailToListener(port, {
      from: 'customer@example.com', to: ['agent@example.com'], subject: 'big', text: 'x',
      attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', content: new Uint8Array(20_000) }],
    })).rejects.toMatchObject({ responseCode: 552 });
    expect(context.pushedEmails).toEqual([]);
    await mailToListener(port, { from: 'customer@example.com', to: ['agent@example.com'], subject: 'small', text: 'x' });
    expect(context.pushedEmails.map((e) => e.subject)).toEqual(['small']);
  });

  it('stops listening on close', async () => {
    const port = await buildSmtp(relayOptions(relay), context);
    const address = port.inboundAddress();
    await port.close();
    expect(port.inboundAddress()).toBeNull();
    const sender = nodemailer.createTransport({ host: address?.host, port: address?.port, ignoreTLS: true, connectionTimeout: 500, logger: false });
    await expect(sender.sendMail({ from: 'a@example.com', to: 'agent@example.com', text: 'x' })).rejects.toMatchObject({ code: expect.any(String) });
    sender.close();
  });

  it('fails startup with CONFIG_INVALID when the inbound port is taken', async () => {
    const first = await open();
    const taken = first.inboundAddress()?.port ?? 0;
    await expect(smtpPlugin.create(relayOptions(relay, { inbound: { host: '127.0.0.1', port: taken } }), context.ctx))
      .rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('has no webhooks: verify is false and parse is empty', async () => {
    const port = await open({ inbound: undefined });
    expect(port.capabilities.inboundWebhook).toBe(false);
    expect(port.inboundAddress()).toBeNull();
  });
});

describe('smtp adapter: error mapping', () => {
  const PASS = 'hunter2-smtp-secret';
  const map = smtpErrorMapper('smtp.example.com:587', PASS, 1000);
  const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'x')), fields);

  it.each([
    [{ code: 'EAUTH', response: '535 5.7.8 Authentication credentials invalid', responseCode: 535, command: 'AUTH PLAIN' }, 'PROVIDER_AUTH_FAILED'],
    [{ code: 'ENOAUTH' }, 'PROVIDER_AUTH_FAILED'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'PROVIDER_TIMEOUT'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'PROVIDER_UNAVAILABLE'],
    [{ code: 'ETLS', command: 'CONN' }, 'PROVIDER_UNAVAILABLE'],
    [{ code: 'EENVELOPE', response: '550 5.1.1 <bob@example.com>: Recipient address rejected', responseCode: 550, command: 'RCPT TO' }, 'INVALID_EMAIL_ADDRESS'],
    [{ code: 'EENVELOPE', response: '553 sorry, that domain isn\'t in my list', responseCode: 553, command: 'RCPT TO' }, 'INVALID_EMAIL_ADDRESS'],
    [{ code: 'EENVELOPE', response: '550 5.7.1 Relaying denied', responseCode: 550, command: 'RCPT TO' }, 'PROVIDER_REJECTED'],
    [{ code: 'EMESSAGE', response: '552 5.3.4 Message size exceeds fixed limit', responseCode: 552, command: 'DATA' }, 'PROVIDER_REJECTED'],
    [{ code: 'EENVELOPE', response: '450 4.7.1 Too many messages, slow down', responseCode: 450, command: 'MAIL FROM' }, 'RATE_LIMITED'],
    [{ code: 'EENVELOPE', response: '451 4.3.0 Local error in processing', responseCode: 451, command: 'MAIL FROM' }, 'PROVIDER_UNAVAILABLE'],
    [{ code: 'EPROTOCOL', response: '421 4.7.0 Too many connections', responseCode: 421, command: 'CONN' }, 'PROVIDER_UNAVAILABLE'],
    [{ code: 'EENVELOPE', message: 'Invalid recipient "x"', command: 'API' }, 'INVALID_EMAIL_ADDRESS'],
    [{ message: 'something odd' }, 'INTERNAL'],
  ])('%o → %s', (fields, code) => {
    const failure = map(smtpError(fields));
    expect(failure.code).toBe(code);
    expect(failure.nextStep).toEqual(expect.any(String));
  });

  it('never repeats the password', () => {
    const failure = map(smtpError({ message: `login with ${PASS} failed` }));
    expect(JSON.stringify({ m: failure.message, d: failure.details, n: failure.nextStep })).not.toContain(PASS);
  });
});

describe('smtp plugin definition', () => {
  it('is an email plugin named smtp whose schema applies defaults and pairs the TLS files', () => {
    expect(smtpPlugin).toMatchObject({ apiVersion: 1, port: 'email', id: 'smtp' });
    expect(smtpPlugin.secrets).toContain('pass');
    const validate = new Ajv2020({ strict: false, useDefaults: true }).compile(smtpPlugin.optionsSchema);
    const options: Record<string, unknown> = { host: 'smtp.example.com', inbound: { port: 2525 } };
    expect(validate(options)).toBe(true);
    expect(options).toMatchObject({ secure: false, requireTLS: false, timeoutMs: 10_000, inbound: { host: '0.0.0.0', port: 2525 } });
    expect(validate({ host: 'smtp.example.com', inbound: { port: 25, tlsKeyFile: 'key.pem' } })).toBe(false);
    expect(validate({ host: 'smtp.example.com', auth: { user: 'u' } })).toBe(false);
    expect(validate({})).toBe(false);
  });
});

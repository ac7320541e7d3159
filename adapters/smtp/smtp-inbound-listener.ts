import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { InboundEmail } from '../../ports/email.js';
import type { IdGenerator, Logger } from '../../ports/runtime.js';
import { inboundEmailFromMime } from './inbound-email-from-mime.js';
import type { ResolvedSmtpInbound } from './smtp-options.js';

/** An SMTP reply: smtp-server answers a callback error with its `responseCode` and message. */
function reply(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/** Reads the DATA stream to its end, keeping at most `limit` bytes (the rest is drained, not held in memory). */
async function readLimited(stream: SMTPServerDataStream, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit || stream.sizeExceeded ? null : Buffer.concat(chunks);
}

/**
 * Receives mail over SMTP (port 25 / a forwarding relay): refuses recipients outside the allowed domains and
 * oversized mail during the SMTP dialogue, parses what it accepts and hands it on. No AUTH: this is a mail
 * exchanger, not a submission server.
 */
export class SmtpInboundListener {
  private readonly server: SMTPServer;
  private bound: AddressInfo | null = null;

  constructor(
    private readonly options: ResolvedSmtpInbound,
    private readonly deps: { logger: Logger; ids: IdGenerator; onEmail: (email: InboundEmail) => void | Promise<void> },
  ) {
    const tls = options.tls ? { key: readFileSync(options.tls.keyFile), cert: readFileSync(options.tls.certFile) } : null;
    this.server = new SMTPServer({
      logger: false,
      banner: 'AgentOS Comms',
      authOptional: true,
      // smtp-server's built-in certificate is public: offering STARTTLS with it would only pretend to be private.
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ?? {}),
      size: options.maxMessageBytes,
      // Reverse DNS of every client would be a network call per connection, for a name we never use.
      disableReverseLookup: true,
      closeTimeout: 2000,
      onRcptTo: (address, _session, callback) => callback(this.recipientRefusal(address.address)),
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(() => callback(), (err: unknown) => callback(this.dataRefusal(err)));
      },
    });
    this.server.on('error', (err: Error) => this.deps.logger.warn({ err: err.message }, 'smtp inbound listener error'));
  }

  listening(): boolean {
    return this.server.server.listening;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.server.off('error', onError);
        resolve();
      });
    });
    this.bound = this.server.server.address() as AddressInfo;
    this.deps.logger.info({ host: this.bound.address, port: this.bound.port }, 'smtp inbound listener started');
  }

  /** Where the listener accepts connections (after `start`). */
  address(): { host: string; port: number } | null {
    return this.bound ? { host: this.bound.address, port: this.bound.port } : null;
  }

  async stop(): Promise<void> {
    if (!this.bound) return;
    this.bound = null;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private recipientRefusal(address: string): Error | null {
    const allowed = this.options.allowedRecipientDomains;
    if (!allowed) return null;
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return allowed.includes(domain) ? null : reply(550, '5.7.1 Relaying denied: we do not accept mail for this domain');
  }

  /** Our own refusals keep their SMTP code; anything else is temporary, so that the sender keeps the mail. */
  private dataRefusal(err: unknown): Error {
    if (err instanceof Error && typeof (err as { responseCode?: unknown }).responseCode === 'number') return err;
    this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'smtp inbound mail could not be handed on');
    return reply(451, '4.3.0 Temporary failure, try again later');
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await readLimited(stream, this.options.maxMessageBytes);
    if (!raw) throw reply(552, '5.3.4 Message size exceeds fixed maximum message size');
    const parsed = await simpleParser(raw);
    const { mailFrom, rcptTo } = session.envelope;
    const email = inboundEmailFromMime(
      parsed,
      { mailFrom: mailFrom ? mailFrom.address : null, rcptTo: rcptTo.map((r) => r.address) },
      this.deps.ids.next('SMTPIN'),
    );
    // A failure to hand the mail on answers 451, so the sending server keeps it and tries again later.
    await this.deps.onEmail(email);
    this.deps.logger.info({ providerMessageId: email.providerMessageId, recipients: rcptTo.length, bytes: raw.length }, 'smtp inbound mail accepted');
  }
}

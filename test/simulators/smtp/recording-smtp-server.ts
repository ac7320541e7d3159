import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Failures the far side plays until cleared. */
export type SmtpFarSideFault = 'server-error' | 'rate-limit' | 'timeout' | 'unreachable' | 'auth-failure';

export interface RecordedSmtpMail {
  envelope: { mailFrom: string | null; rcptTo: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** The user that logged in, or null. */
  user: string | null;
  /** Whether the session had been upgraded to TLS (STARTTLS). */
  secure: boolean;
}

function reply(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * A real SMTP server on loopback (the `smtp-server` package) standing in for a mail relay: it requires
 * STARTTLS (with smtp-server's self-signed certificate) and a login, records every mail it accepts, refuses
 * unknown mailboxes with 550 5.1.1, and plays faults on demand.
 */
export class RecordingSmtpServer {
  readonly host = '127.0.0.1';
  readonly user = 'relay-user';
  readonly pass = `pw-${randomBytes(12).toString('hex')}`;
  readonly received: RecordedSmtpMail[] = [];
  /** Mailboxes that do not exist: RCPT TO answers 550 5.1.1. */
  readonly unknownRecipients = new Set(['nobody@example.com']);
  fault: SmtpFarSideFault | null = null;
  private readonly server: SMTPServer;
  private boundPort: number | null = null;

  constructor() {
    this.server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      allowInsecureAuth: false,
      closeTimeout: 100,
      onConnect: (_session, callback) => {
        callback(this.fault === 'unreachable' ? reply(421, '4.3.2 Service not available, closing transmission channel') : null);
      },
      onAuth: (auth, _session, callback) => {
        if (this.fault === 'auth-failure' || auth.username !== this.user || auth.password !== this.pass) {
          callback(new Error('Invalid username or password'));
          return;
        }
        callback(null, { user: auth.username });
      },
      onMailFrom: (_address, _session, callback) => {
        if (this.fault === 'timeout') return; // never answers: the client must give up
        if (this.fault === 'server-error') return callback(reply(451, '4.3.0 Local error in processing'));
        if (this.fault === 'rate-limit') return callback(reply(450, '4.7.1 Too many messages, slow down'));
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        callback(this.unknownRecipients.has(address.address.toLowerCase()) ? reply(550, '5.1.1 User unknown') : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then((parsed) => {
            const { mailFrom, rcptTo } = session.envelope;
            this.received.push({
              envelope: { mailFrom: mailFrom ? mailFrom.address : null, rcptTo: rcptTo.map((r) => r.address) },
              raw, parsed, user: typeof session.user === 'string' ? session.user : null, secure: session.secure,
            });
            callback();
          }, (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
        });
      },
    });
  }

  get port(): number {
    if (this.boundPort === null) throw new Error('RecordingSmtpServer is not started');
    return this.boundPort;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(0, this.host, () => resolve());
    });
    this.boundPort = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.boundPort === null) return;
    this.boundPort = null;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

import nodemailer from 'nodemailer';
import type { SmtpEmail } from '../../adapters/smtp/smtp-email.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import { SendGridSimulator } from '../simulators/sendgrid/sendgrid-simulator.js';
import { RecordingSmtpServer } from '../simulators/smtp/recording-smtp-server.js';
import { postWebhook } from '../simulators/shared/post-webhook.js';
import type { TestServer } from './test-server.js';

/** A mail as the provider (or relay) received it. */
export interface ProviderMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer }>;
}

/** Mail from a person to one of our mailboxes. */
export interface IncomingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** What the end-to-end email test needs of a provider, whichever provider it is. */
export interface EmailProvider {
  name: string;
  /** The last status a delivered mail reaches: providers that report delivery say `delivered`, a relay only `sent`. */
  deliveredStatus: 'delivered' | 'sent';
  start(): Promise<void>;
  stop(): Promise<void>;
  email(): { use: string; options: Record<string, unknown> };
  /** Points the provider's webhooks at the running server, once the agent exists. */
  connect(server: TestServer, agentId: string): void;
  /** The mail the provider accepted with this subject. */
  sent(subject: string): ProviderMail | undefined;
  /** Delivers a mail from outside to the agent; resolves with a way to deliver it again, where the provider retries. */
  receive(server: TestServer, agentId: string, mail: IncomingMail): Promise<{ redeliver?: () => Promise<number> }>;
}

export function resendEmail(): EmailProvider {
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  return {
    name: 'resend',
    deliveredStatus: 'delivered',
    start: () => sim.start(),
    stop: () => sim.stop(),
    email: () => ({ use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 3000 } }),
    connect(server, agentId) {
      sim.webhookUrl = `${server.url}/webhooks/${agentId}/email`;
    },
    sent(subject) {
      const mail = sim.emails.find((e) => e.subject === subject);
      return mail && { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text ?? '', attachments: mail.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.content) })) };
    },
    async receive(server, agentId, mail) {
      const answer = await sim.injectInbound({ url: `${server.url}/webhooks/${agentId}/email`, from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text });
      if (answer.status !== 200) throw new Error(`inbound webhook answered ${answer.status}`);
      const delivery = sim.webhookDeliveries.at(-1)!;
      return { redeliver: async () => (await postWebhook(delivery, 5000)).status };
    },
  };
}

export function smtpEmail(): EmailProvider {
  const relay = new RecordingSmtpServer();
  return {
    name: 'smtp',
    deliveredStatus: 'sent',
    start: () => relay.start(),
    stop: () => relay.stop(),
    email: () => ({
      use: 'smtp',
      options: {
        host: relay.host, port: relay.port, auth: { user: relay.user, pass: relay.pass }, tls: { rejectUnauthorized: false }, timeoutMs: 3000,
        inbound: { host: '127.0.0.1', port: 0, allowedRecipientDomains: ['example.com'] },
      },
    }),
    connect() {},
    sent(subject) {
      const mail = relay.received.find((m) => m.parsed.subject === subject);
      return mail && {
        from: mail.envelope.mailFrom ?? '', to: mail.envelope.rcptTo, subject, text: (mail.parsed.text ?? '').replace(/\n$/, ''),
        attachments: mail.parsed.attachments.map((a) => ({ filename: a.filename ?? '', content: a.content })),
      };
    },
    async receive(server, _agentId, mail) {
      // SMTP has no redelivery of its own: a sender that got 250 does not send again.
      const address = (server.app.ports.email!.port as SmtpEmail).inboundAddress()!;
      const transport = nodemailer.createTransport({ host: address.host, port: address.port, secure: false, ignoreTLS: true });
      await transport.sendMail(mail);
      return {};
    },
  };
}

export function sendGridEmail(): EmailProvider {
  const sim = new SendGridSimulator({ eventDelayMs: 5 });
  return {
    name: 'sendgrid',
    deliveredStatus: 'delivered',
    start: () => sim.start(),
    stop: () => sim.stop(),
    email: () => ({
      use: 'sendgrid',
      options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 3000, eventWebhookPublicKey: sim.eventWebhookPublicKey, inboundParse: sim.parseCredentials },
    }),
    // One Event Webhook and one Inbound Parse URL per account: the URL shared by every agent.
    connect(server) {
      sim.eventWebhookUrl = `${server.url}/webhooks/email`;
    },
    sent(subject) {
      const mail = sim.mails.find((m) => m.subject === subject);
      return mail && { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text ?? '', attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content })) };
    },
    async receive(server, _agentId, mail) {
      const url = `${server.url}/webhooks/email`;
      const post = await sim.buildInbound(url, { from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text });
      const answer = await postWebhook(post, 5000);
      if (answer.status !== 200) throw new Error(`inbound parse answered ${answer.status}: ${answer.body}`);
      return { redeliver: async () => (await postWebhook(post, 5000)).status };
    },
  };
}

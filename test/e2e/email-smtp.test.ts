import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpEmail } from '../../adapters/smtp/smtp-email.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { RecordingSmtpServer } from '../simulators/smtp/recording-smtp-server.js';

interface Listed { messages: Array<{ direction: string; from: string; to: string; body: string; status: string; metadata: Record<string, unknown> }> }

describe('Email end to end over SMTP: nodemailer to a relay, and the built-in SMTP listener for inbound', () => {
  const relay = new RecordingSmtpServer();
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string };

  beforeAll(async () => {
    await relay.start();
    await receiver.start();
    server = await startTestServer({
      extra: {
        email: {
          use: 'smtp',
          options: {
            host: relay.host, port: relay.port, auth: { user: relay.user, pass: relay.pass }, tls: { rejectUnauthorized: false }, timeoutMs: 1500,
            inbound: { host: '127.0.0.1', port: 0, allowedRecipientDomains: ['example.com'] },
          },
        },
      },
    });
    agent = await server.createAgent({ name: 'SMTP agent', email: 'desk@example.com', callbackUrl: receiver.url });
  });
  afterAll(async () => {
    await server?.close();
    await receiver.stop();
    await relay.stop();
  });

  const deliverToListener = async (to: string, subject: string): Promise<void> => {
    const address = (server.app.ports.email!.port as SmtpEmail).inboundAddress()!;
    const transport = nodemailer.createTransport({ host: address.host, port: address.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'ada@example.com', to, subject, text: `Body of ${subject}` });
  };

  it('sends through the relay (STARTTLS, login) from the agent\'s address', async () => {
    const client = await connectHttpClient(server.url, agent.token);
    try {
      const sent = await callOk<{ providerMessageId: string; status: string }>(client, 'comms_send_message', { channel: 'email', to: 'ada@example.com', subject: 'Hello over SMTP', text: 'Plain text', html: '<p>HTML</p>' });
      expect(sent.status).toBe('sent');
      const mail = relay.received.at(-1)!;
      expect(mail.envelope).toMatchObject({ mailFrom: 'desk@example.com', rcptTo: ['ada@example.com'] });
      expect(mail.secure).toBe(true);
      expect(mail.parsed.subject).toBe('Hello over SMTP');
      expect(mail.parsed.text?.trim()).toBe('Plain text');
      expect(mail.parsed.messageId).toBe(sent.providerMessageId);

      relay.fault = 'server-error';
      expect((await callErr(client, 'comms_send_message', { channel: 'email', to: 'ada@example.com', subject: 'x', text: 'x' })).code).toMatch(/PROVIDER_UNAVAILABLE|RATE_LIMITED/);
      relay.fault = null;
      expect((await callErr(client, 'comms_send_message', { channel: 'email', to: 'nobody@example.com', subject: 'x', text: 'x' })).code).toMatch(/INVALID_EMAIL_ADDRESS|PROVIDER_REJECTED/);
    } finally {
      relay.fault = null;
      await client.close();
    }
  });

  it('receives mail for an agent\'s address through the listener, stores it and forwards it', async () => {
    await deliverToListener('Desk@Example.com', 'Inbound over SMTP');
    const client = await connectHttpClient(server.url, agent.token);
    try {
      const stored = await eventually(async () => {
        const { messages } = await callOk<Listed>(client, 'comms_get_messages', { channel: 'email', direction: 'inbound' });
        return messages.find((m) => m.metadata.subject === 'Inbound over SMTP');
      });
      expect(stored).toMatchObject({ from: 'ada@example.com', status: 'received' });
      expect(stored.body.trim()).toBe('Body of Inbound over SMTP');
    } finally {
      await client.close();
    }
    await receiver.waitFor(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'message.received', data: { channel: 'email' } });
  });

  it('refuses mail for foreign domains at the SMTP level', async () => {
    await expect(deliverToListener('someone@elsewhere.example.net', 'Foreign')).rejects.toThrow();
  });
});

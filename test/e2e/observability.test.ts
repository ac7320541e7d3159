import { Writable } from 'node:stream';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { createLogger } from '../../adapters/node/pino-logger.js';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

/** Values that must never reach a log line or a metric label: numbers, addresses, contents, secrets. */
const MARK = {
  agentPhone: '+15550100181', agentEmail: 'agent-mark@example.com', agentWhatsApp: '+15550100182',
  person: '+15550100183', personEmail: 'person-mark@example.com', personWhatsApp: '+15550100184',
  smsBody: 'MARK-SMS-BODY-q81', emailSubject: 'MARK-SUBJECT-q82', emailText: 'MARK-EMAIL-TEXT-q83', waBody: 'MARK-WA-BODY-q84',
  voiceText: 'MARK-VOICE-TEXT-q85', inboundSms: 'MARK-INBOUND-SMS-q86', inboundEmail: 'MARK-INBOUND-EMAIL-q87', inboundWa: 'MARK-INBOUND-WA-q88',
  forgedBody: 'MARK-FORGED-q89',
};

/** Every JSON line the server logs, captured as written. */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

describe('observability: metrics and logs over traffic on every channel (demo providers)', () => {
  const captured = new Captured();
  let server: TestServer;
  let agent: { agentId: string; token: string; callbackSecret: string };
  let client: Client;

  const post = (path: string, body: string, contentType: string, signed = true): Promise<Response> => {
    const url = `${server.url}${path}`;
    const signature: Record<string, string> = signed ? { 'x-mock-signature': signMockWebhook('demo-secret', url, body) } : {};
    return fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-request-id': 'obs-webhook-req', ...signature }, body });
  };
  const scrape = (token?: string) => fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    server = await startTestServer({
      logger: createLogger('debug', 2, 'json', captured),
      extra: {
        email: { use: 'mock' }, whatsapp: { use: 'mock' }, tts: { use: 'mock' }, storage: { use: 'local' },
        metrics: { token: METRICS_TOKEN },
      },
    });
    agent = await server.createAgent({ name: 'Observed', phone: MARK.agentPhone, email: MARK.agentEmail, whatsapp: MARK.agentWhatsApp, callbackUrl: 'http://127.0.0.1:9/cb' });
    client = await connectHttpClient(server.url, agent.token);

    await callOk(client, 'comms_send_message', { channel: 'sms', to: MARK.person, body: MARK.smsBody });
    await callOk(client, 'comms_send_message', { channel: 'email', to: MARK.personEmail, subject: MARK.emailSubject, text: MARK.emailText });
    const wa = new URLSearchParams({ MessageSid: 'MOCKWAOBS1', From: `whatsapp:${MARK.personWhatsApp}`, To: `whatsapp:${MARK.agentWhatsApp}`, Body: MARK.inboundWa }).toString();
    expect((await post(`/webhooks/${agent.agentId}/whatsapp`, wa, 'application/x-www-form-urlencoded')).status).toBe(200);
    await callOk(client, 'comms_send_message', { channel: 'whatsapp', to: MARK.personWhatsApp, body: MARK.waBody });
    const placed = await callOk<{ callId: string }>(client, 'comms_send_voice_message', { to: MARK.person, text: MARK.voiceText });
    await eventually(async () => {
      const call = await callOk<{ status: string }>(client, 'comms_get_call', { callId: placed.callId });
      return call.status === 'completed' ? call : undefined;
    });
    const sms = new URLSearchParams({ MessageSid: 'MOCKOBS1', From: MARK.person, To: MARK.agentPhone, Body: MARK.inboundSms }).toString();
    expect((await post(`/webhooks/${agent.agentId}/sms`, sms, 'application/x-www-form-urlencoded')).status).toBe(200);
    const email = JSON.stringify({ type: 'email.received', data: { providerMessageId: 'MOCKOBSMAIL1', from: MARK.personEmail, to: [MARK.agentEmail], subject: MARK.emailSubject, text: MARK.inboundEmail } });
    expect((await post(`/webhooks/${agent.agentId}/email`, email, 'application/json')).status).toBe(200);
    // Mail for an address no agent has, on the URL shared by every agent: acknowledged, and logged.
    const stray = JSON.stringify({ type: 'email.received', data: { providerMessageId: 'MOCKOBSMAIL2', from: MARK.personEmail, to: ['nobody-here@example.com'], subject: MARK.emailSubject, text: MARK.inboundEmail } });
    expect((await post('/webhooks/email', stray, 'application/json')).status).toBe(200);
    // A forged webhook, a refused send (do-not-contact), a tool error and a bad token.
    const forged = new URLSearchParams({ MessageSid: 'MOCKOBS2', From: MARK.person, To: MARK.agentPhone, Body: MARK.forgedBody }).toString();
    expect((await post(`/webhooks/${agent.agentId}/sms`, forged, 'application/x-www-form-urlencoded', false)).status).toBe(403);
    const wronglySigned = await fetch(`${server.url}/webhooks/${agent.agentId}/sms`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': 'f'.repeat(64) }, body: forged,
    });
    expect(wronglySigned.status).toBe(403);
    await server.app.runner.run('comms_add_do_not_contact', { kind: 'admin' }, { numbers: [MARK.person] });
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: MARK.person, body: MARK.smsBody })).code).toBe('DO_NOT_CONTACT');
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: '12', body: MARK.smsBody })).code).toBe('INVALID_PHONE_NUMBER');
    expect((await fetch(`${server.url}/api/v1/messages`, { headers: { authorization: `Bearer ${agent.token}x` } })).status).toBe(401);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('GET /metrics needs the metrics token (not the admin token)', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(ADMIN_TOKEN)).status).toBe(401);
    const ok = await scrape(METRICS_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('without a metrics token, /metrics does not exist', async () => {
    const plain = await startTestServer();
    try {
      const res = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(plain.app.prometheus).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('reports process, message, provider, webhook, tool, refusal, live-call and outbox metrics', async () => {
    const text = await (await scrape(METRICS_TOKEN)).text();
    const families = new Map<string, PrometheusFamily>(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string>): number => {
      const sample = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return sample ? Number(sample.value ?? sample.count) : 0;
    };
    for (const name of ['agentos_process_cpu_user_seconds_total', 'agentos_process_resident_memory_bytes', 'agentos_nodejs_eventloop_lag_p99_seconds']) {
      expect(families.has(name), name).toBe(true);
    }
    expect(value('agentos_messages_total', { channel: 'sms', direction: 'outbound', status: 'pending' })).toBe(1);
    expect(value('agentos_messages_total', { channel: 'sms', direction: 'outbound', status: 'queued' })
      + value('agentos_messages_total', { channel: 'sms', direction: 'outbound', status: 'sent' })).toBe(1);
    expect(value('agentos_messages_total', { channel: 'email', direction: 'outbound', status: 'pending' })).toBe(1);
    expect(value('agentos_messages_total', { channel: 'sms', direction: 'inbound', status: 'received' })).toBe(1);
    expect(value('agentos_messages_total', { channel: 'whatsapp', direction: 'inbound', status: 'received' })).toBe(1);
    expect(value('agentos_messages_total', { channel: 'email', direction: 'inbound', status: 'received' })).toBe(1);
    expect(value('agentos_provider_calls_total', { port: 'telephony', adapter: 'mock', method: 'sendSms', outcome: 'ok' })).toBe(1);
    expect(value('agentos_provider_calls_total', { port: 'email', adapter: 'mock', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(families.get('agentos_provider_call_duration_seconds')?.type).toBe('HISTOGRAM');
    // The parser keeps a histogram's buckets but not its labelled count: read that line itself.
    expect(text).toContain('agentos_provider_call_duration_seconds_count{port="telephony",adapter="mock",method="sendSms"} 1\n');
    expect(value('agentos_webhook_verifications_total', { port: 'telephony', result: 'valid' })).toBe(1);
    // One without a signature (refused before the body is read), one with a wrong one (refused by the adapter).
    expect(value('agentos_webhook_verifications_total', { port: 'telephony', result: 'invalid' })).toBe(2);
    expect(value('agentos_webhook_verifications_total', { port: 'whatsapp', result: 'valid' })).toBe(1);
    expect(value('agentos_tool_calls_total', { tool: 'comms_send_message', code: 'ok' })).toBe(3);
    expect(value('agentos_tool_calls_total', { tool: 'comms_send_message', code: 'DO_NOT_CONTACT' })).toBe(1);
    expect(value('agentos_tool_calls_total', { tool: 'comms_send_message', code: 'INVALID_PHONE_NUMBER' })).toBe(1);
    expect(value('agentos_policy_refusals_total', { kind: 'compliance', rule: 'do-not-contact', code: 'DO_NOT_CONTACT' })).toBe(1);
    expect(value('agentos_live_calls', {})).toBe(0);
    // The agent's callback URL refuses connections: the three inbound events wait in the outbox.
    expect(value('agentos_callback_outbox_pending', {})).toBe(3);
    expect(value('agentos_callback_outbox_oldest_age_seconds', {})).toBeGreaterThanOrEqual(0);
    // Deliveries that fail are the outbox's to retry; the job that sends them succeeds.
    for (const state of ['failed', 'dead_lettered']) expect(value('agentos_background_jobs', { job: 'callbacks.deliver', state })).toBe(0);
    expect(families.get('agentos_background_jobs')?.metrics.map((m) => m.labels?.job)).toContain('recovery.stuck-sends');

    const labelValues = [...families.values()].flatMap((f) => f.metrics.flatMap((m) => Object.entries(m.labels ?? {})))
      .filter(([key]) => key !== 'le' && key !== 'quantile' && key !== 'version').map(([, v]) => v);
    for (const v of labelValues) {
      expect(v).not.toMatch(/\d{4}|@/);
      for (const mark of Object.values(MARK)) expect(v).not.toContain(mark);
    }
  });

  it('logs JSON lines without numbers, addresses, contents or secrets; lines of a request carry its id', async () => {
    const text = captured.text;
    const lines = captured.lines();
    expect(lines.length).toBeGreaterThan(5);
    const secrets = [agent.token, agent.callbackSecret, ADMIN_TOKEN, METRICS_TOKEN, 'demo-secret'];
    for (const value of [...Object.values(MARK), ...secrets, MARK.person.slice(1), '555 0100', '5550100']) {
      expect(text, value).not.toContain(value);
    }
    // A webhook's request logs with the request id it came with.
    const stray = lines.filter((l) => l.msg === 'inbound email for no known agent address');
    expect(stray.map((l) => l.requestId)).toEqual(['obs-webhook-req']);
    // Lines written inside tool calls carry the call's request id.
    const inRequests = lines.filter((l) => typeof l.msg === 'string' && /policy refused|demo (email|sms|whatsapp|call)/i.test(l.msg));
    expect(inRequests.length).toBeGreaterThan(0);
    for (const line of inRequests) expect(line.requestId, JSON.stringify(line)).toMatch(/\S/);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

interface Status {
  database: { dialect: string; location: string | null };
  defaults: { tier: string; currency: string; spendPerDay: string | null; spendPerMonth: string | null; quietHours: { enabled: boolean; start: string; end: string } };
  done: boolean;
  steps: Array<{ step: string; done: boolean; detail: string }>;
  channels: Array<{ channel: string; provider: string | null; demo: boolean }>;
  firstAgentId: string | null;
  testMessage: { messageId: string; status: string; arrived: boolean } | null;
  publicBaseUrl: string;
}
interface ErrorBody { error: { code: string; message: string; nextStep: string | null; details: Record<string, unknown> } }

/** Nothing listens on port 9 (discard): a refused connection. */
const UNREACHABLE = 'http://127.0.0.1:9';

let server: TestServer;
/** Answers /health with something that is not this server. */
let impostor: Server;
let impostorUrl: string;
let agentToken: string;

async function rest<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}
const status = async (token = ADMIN_TOKEN) => (await rest<Status>('GET', '/setup', token)).body;
const done = (s: Status) => Object.fromEntries(s.steps.map((step) => [step.step, step.done]));

beforeAll(async () => {
  server = await startTestServer();
  // An agent that existed before setup (an operator who began with `agent create`): not the admin.
  agentToken = (await server.createAgent({ name: 'Early agent' })).token;
  impostor = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>parked domain</html>'));
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => impostor?.close(resolve));
});

describe('setup tools over REST', () => {
  it('starts with nothing done but the database, and the demo channel not chosen yet', async () => {
    const s = await status();
    expect(s.done).toBe(false);
    expect(done(s)).toEqual({ providers: false, publicUrl: true, database: true, firstAgent: false, number: false, defaults: false, testMessage: false });
    expect(s.channels).toEqual([
      { channel: 'telephony', provider: 'mock', credentialsRef: null, demo: true },
      { channel: 'email', provider: null, credentialsRef: null, demo: false },
      { channel: 'whatsapp', provider: null, credentialsRef: null, demo: false },
    ]);
    expect(existsSync(join(server.dir, 'setup.yaml'))).toBe(false);
    // The database is the config's (read-only for setup); the defaults are the server's until setup chooses.
    expect(s.database).toEqual({ dialect: 'sqlite', location: expect.stringContaining('comms.sqlite') });
    expect(s.defaults).toEqual({ tier: 'standard', currency: 'USD', spendPerDay: '50', spendPerMonth: '500', quietHours: { enabled: false, start: '08:00', end: '21:00' } });
  });

  it('lists per channel the providers setup offers and the options each one asks for', async () => {
    type Choices = { channels: Array<{ channel: string; choices: Array<{ provider: string; demo: boolean; fields: Array<{ name: string; required: boolean; secret: boolean; type: string }> }> }> };
    const { status: code, body } = await rest<Choices>('GET', '/setup/providers', ADMIN_TOKEN);
    expect(code).toBe(200);
    expect(body.channels.map((c) => c.channel)).toEqual(['telephony', 'email', 'whatsapp']);
    const telephony = body.channels[0]!.choices;
    expect(telephony.map((c) => c.provider)).toEqual(['twilio', 'vonage', 'mock']);
    expect(telephony.find((c) => c.provider === 'mock')).toEqual({ provider: 'mock', demo: true, fields: [] });
    const twilio = telephony.find((c) => c.provider === 'twilio')!.fields;
    expect(twilio.filter((f) => f.required).map((f) => [f.name, f.secret])).toEqual([['accountSid', false], ['authToken', true]]);
    expect(twilio.find((f) => f.name === 'baseUrl')).toMatchObject({ required: false, secret: false, type: 'string' });
    expect(body.channels[1]!.choices.map((c) => c.provider)).toEqual(['resend', 'smtp', 'sendgrid', 'mock']);
  });

  it('checks the public URL: this server answers; a closed port or another server answering is PUBLIC_URL_UNREACHABLE', async () => {
    const reached = await rest<{ url: string; reachable: boolean; status: number }>('POST', '/setup/public-url', ADMIN_TOKEN, { url: `${server.url}/` });
    expect(reached).toEqual({ status: 200, body: { url: server.url, reachable: true, status: 200 } });
    const s = await status();
    expect(s.publicBaseUrl).toBe(server.url);
    expect(s.steps.find((step) => step.step === 'publicUrl')).toMatchObject({ done: true, detail: expect.stringContaining('reached this server') });

    const refused = await rest<ErrorBody>('POST', '/setup/public-url', ADMIN_TOKEN, { url: UNREACHABLE });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'PUBLIC_URL_UNREACHABLE', details: { reason: 'unreachable', url: UNREACHABLE } });
    const other = await rest<ErrorBody>('POST', '/setup/public-url', ADMIN_TOKEN, { url: impostorUrl });
    expect(other.body.error).toMatchObject({ code: 'PUBLIC_URL_UNREACHABLE', details: { reason: 'not-this-server', status: 200 } });
    // A URL that failed is not remembered.
    expect((await status()).publicBaseUrl).toBe(server.url);
  });

  it('lets only the admin make the server fetch a URL, and only http(s) without credentials', async () => {
    expect((await rest<ErrorBody>('POST', '/setup/public-url', agentToken, { url: server.url })).body.error.code).toBe('FORBIDDEN');
    expect((await rest<ErrorBody>('POST', '/setup/public-url', ADMIN_TOKEN, { url: 'file:///etc/passwd' })).body.error.code).toBe('INVALID_INPUT');
    const withUser = await rest<ErrorBody>('POST', '/setup/public-url', ADMIN_TOKEN, { url: 'http://user:pw@127.0.0.1:9' });
    expect(withUser.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'url' } });
  });

  it('refuses every setup route to an agent token even before setup is done: setup acts as the operator', async () => {
    // An agent that existed before setup must not register provider credentials, create agents or send as the
    // operator: setup is the operator's (the terminal wizard runs as the operator, the web page with the admin token).
    const routes = [
      ['GET', '/setup', undefined], ['POST', '/setup/providers', { channel: 'telephony', provider: 'mock' }],
      ['POST', '/setup/config', { spendPerDay: '1' }], ['POST', '/setup/agent', { name: 'Intruder' }],
      ['POST', '/setup/number', { source: 'demo' }], ['POST', '/setup/test-message', { to: '+15550100150' }],
      ['POST', '/setup/complete', undefined],
    ] as const;
    for (const [method, path, body] of routes) {
      const refused = await rest<ErrorBody>(method, path, agentToken, body);
      expect([refused.status, refused.body.error?.code], path).toEqual([403, 'FORBIDDEN']);
    }
    // Nothing was chosen or created by those calls.
    const s = await status();
    expect(s.firstAgentId).toBeNull();
    expect(done(s)).toMatchObject({ providers: false, defaults: false, firstAgent: false });
  });

  it('moves each step to done as it is taken', async () => {
    expect((await rest('POST', '/setup/providers', ADMIN_TOKEN, { channel: 'telephony', provider: 'mock' })).status).toBe(200);
    const written = await rest<{ written: string[] }>('POST', '/setup/config', ADMIN_TOKEN, { spendPerDay: '10', quietHours: { enabled: false } });
    expect(written.body.written).toEqual(['defaultTier', 'quietHours']);
    expect(done(await status())).toMatchObject({ providers: true, defaults: true, firstAgent: false });
    expect((await status()).defaults).toMatchObject({ spendPerDay: '10', spendPerMonth: '500', quietHours: { enabled: false } });

    expect((await rest<ErrorBody>('POST', '/setup/number', ADMIN_TOKEN, { source: 'demo' })).body.error.code).toBe('NOT_FOUND');
    const created = await rest<{ agentId: string; token: string }>('POST', '/setup/agent', ADMIN_TOKEN, { name: 'First' });
    expect(created.status).toBe(201);
    expect((await rest<ErrorBody>('POST', '/setup/agent', ADMIN_TOKEN, { name: 'Second' })).body.error).toMatchObject({ code: 'CONFLICT', details: { agentId: created.body.agentId } });
    expect(done(await status())).toMatchObject({ firstAgent: true, number: false });

    const number = await rest<{ phone: string; webhooksToSet: unknown[] }>('POST', '/setup/number', ADMIN_TOKEN, { source: 'demo' });
    expect(number.body).toMatchObject({ phone: '+15550100100', source: 'demo', webhooksToSet: [] });
    const existing = await rest<{ phone: string; webhooksToSet: Array<{ url: string }> }>('POST', '/setup/number', ADMIN_TOKEN, { source: 'existing', phone: '+1 555 010 0123' });
    expect(existing.body.phone).toBe('+15550100123');
    expect(existing.body.webhooksToSet.map((w) => w.url)).toContain(`${server.url}/webhooks/sms/status`);

    const sent = await rest<{ messageId: string }>('POST', '/setup/test-message', ADMIN_TOKEN, { to: '+15550100150' });
    expect(sent.status).toBe(201);
    await expect.poll(async () => (await status()).testMessage, { timeout: 10_000 }).toMatchObject({ messageId: sent.body.messageId, arrived: true });
    const s = await status();
    expect(s.firstAgentId).toBe(created.body.agentId);
    expect(done(s)).toEqual({ providers: true, publicUrl: true, database: true, firstAgent: true, number: true, defaults: true, testMessage: true });
    expect(s.done).toBe(false);
  });

  it('once marked done, still refuses every other token and serves the admin', async () => {
    const completed = await rest<Status>('POST', '/setup/complete', ADMIN_TOKEN);
    expect(completed.body.done).toBe(true);
    for (const [method, path, body] of [['GET', '/setup', undefined], ['GET', '/setup/providers', undefined], ['POST', '/setup/providers', { channel: 'telephony', provider: 'mock' }], ['POST', '/setup/config', { spendPerDay: '1' }], ['POST', '/setup/complete', undefined]] as const) {
      const refused = await rest<ErrorBody>(method, path, agentToken, body);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.code, path).toBe('FORBIDDEN');
    }
    expect((await status()).done).toBe(true);
    expect((await rest('POST', '/setup/config', ADMIN_TOKEN, { quietHours: { enabled: true } })).status).toBe(200);
    // Without a token there is no setup at all.
    expect((await fetch(`${server.url}/api/v1/setup`)).status).toBe(401);
  });
});

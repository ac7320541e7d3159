import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger, silentLogger } from '../../adapters/node/pino-logger.js';
import { buildApp } from '../../hosts/composition/build-app.js';
import { loadConfig } from '../../hosts/config/load-config.js';
import { callErr, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const OWNED = '+15550100011';
const PERSON = '+15550100151';
const KEY = randomBytes(32).toString('base64');

/** Every line the server logs, as written. */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const sim = new TwilioSimulator({ ownedNumbers: [OWNED], callbackDelayMs: 1 });
const captured = new Captured();
let server: TestServer;
let admin: Client;
let apiKey: { sid: string; secret: string };
/** Every tool result and REST body the tests received, to grep for secrets at the end. */
const seen: string[] = [];

const credentials = (overrides: Record<string, unknown> = {}) => ({
  accountSid: sim.accountSid, authToken: sim.authToken, apiKeySid: apiKey.sid, apiKeySecret: apiKey.secret, baseUrl: sim.baseUrl, timeoutMs: 2000, ...overrides,
});
async function tool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await admin.callTool({ name, arguments: args })) as CallToolResult;
  seen.push(JSON.stringify(result));
  return result;
}
const ok = async <T>(name: string, args: Record<string, unknown>) => {
  const result = await tool(name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
};
const err = async (name: string, args: Record<string, unknown>) => {
  const result = await tool(name, args);
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return (JSON.parse(first?.type === 'text' ? first.text : '{}') as { error: { code: string; message: string; nextStep: string | null } }).error;
};

beforeAll(async () => {
  await sim.start();
  apiKey = sim.createApiKey('comms');
  server = await startTestServer({ logger: createLogger('debug', 2, 'json', captured), env: { COMMS_CREDENTIALS_KEY: KEY } });
  admin = await connectHttpClient(server.url, ADMIN_TOKEN);
});
afterAll(async () => {
  await admin?.close();
  await server?.close();
  await sim.stop();
});

describe('comms_register_provider, comms_list_providers, comms_remove_provider', () => {
  it('verifies Twilio API-key credentials with the provider, stores them, and answers without them', async () => {
    const before = sim.requests.length;
    const registered = await ok<Record<string, unknown>>('comms_register_provider', { name: 'acme-twilio', provider: 'twilio', credentials: credentials(), customerId: 'cus_acme' });
    expect(registered).toEqual({
      name: 'acme-twilio', provider: 'twilio', port: 'telephony', customerId: 'cus_acme',
      verified: expect.stringContaining(`API key ${apiKey.sid.slice(0, 6)}…`), verifiedAt: expect.any(String), createdAt: expect.any(String),
    });
    // One free read at the provider, made with the key: nothing sent.
    expect(sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /2010-04-01/Accounts/${sim.accountSid}/Balance.json`]);
    expect(sim.messages).toHaveLength(0);
  });

  it('refuses credentials the provider refuses, with the adapter\'s code, and stores nothing', async () => {
    const error = await err('comms_register_provider', { name: 'wrong', provider: 'twilio', credentials: credentials({ apiKeySecret: 'wrong-secret-for-the-key-000' }) });
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify(error)).not.toContain('wrong-secret-for-the-key-000');
    const { providers } = await ok<{ providers: Array<{ name: string }> }>('comms_list_providers', {});
    expect(providers.map((p) => p.name)).toEqual(['acme-twilio']);
  });

  it('refuses a taken name before calling the provider, an unknown or unverifiable provider, and options the adapter refuses', async () => {
    const before = sim.requests.length;
    expect((await err('comms_register_provider', { name: 'acme-twilio', provider: 'twilio', credentials: credentials() })).code).toBe('CONFLICT');
    expect(sim.requests.length).toBe(before);
    expect((await err('comms_register_provider', { name: 'x', provider: 'mock', credentials: { a: 1 } })).code).toBe('INVALID_INPUT');
    expect((await err('comms_register_provider', { name: 'x', provider: 'carrier-pigeon', credentials: { a: 1 } })).code).toBe('INVALID_INPUT');
    const missing = await err('comms_register_provider', { name: 'x', provider: 'twilio', credentials: { accountSid: sim.accountSid, apiKeySid: apiKey.sid, apiKeySecret: apiKey.secret } });
    expect(missing).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('credentials.authToken') });
  });

  it('lists over REST for the admin only, without any credential', async () => {
    const res = await fetch(`${server.url}/api/v1/providers`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = await res.text();
    seen.push(body);
    expect(res.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ providers: [expect.objectContaining({ name: 'acme-twilio', provider: 'twilio', port: 'telephony', customerId: 'cus_acme' })] });
    const agent = await server.createAgent({ name: 'Not an admin' });
    const asAgent = await connectHttpClient(server.url, agent.token);
    try {
      expect((await callErr(asAgent, 'comms_list_providers', {})).code).toBe('FORBIDDEN');
    } finally {
      await asAgent.close();
    }
  });

  it('removes a set once; a second removal is NOT_FOUND', async () => {
    await ok('comms_register_provider', { name: 'temporary', provider: 'twilio', port: 'whatsapp', credentials: credentials() });
    expect(await ok('comms_remove_provider', { name: 'temporary' })).toEqual({ name: 'temporary', removed: true });
    expect((await err('comms_remove_provider', { name: 'temporary' })).code).toBe('NOT_FOUND');
  });

  it('registers and removes over REST too (201, then 200), and answers a refusal with the adapter\'s code', async () => {
    const rest = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      seen.push(text);
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    };
    expect(await rest('POST', '/providers', { name: 'over-rest', provider: 'twilio', credentials: credentials() })).toMatchObject({ status: 201, body: { name: 'over-rest', port: 'telephony' } });
    expect(await rest('POST', '/providers', { name: 'refused', provider: 'twilio', credentials: credentials({ authToken: 'wrong-token-over-rest-000', apiKeySid: undefined, apiKeySecret: undefined }) }))
      .toMatchObject({ status: 502, body: { error: { code: 'PROVIDER_AUTH_FAILED' } } });
    expect(await rest('DELETE', '/providers/over-rest')).toEqual({ status: 200, body: { name: 'over-rest', removed: true } });
  });

  it('audits every registration and removal, refused ones with their code, without credentials', async () => {
    const entries = await server.app.ports.db.audit.list({ limit: 100 });
    const provider = entries.filter((e) => e.action.startsWith('provider.')).reverse().map((e) => [e.action, e.targets.name, e.outcome]);
    expect(provider).toEqual([
      ['provider.register', 'acme-twilio', 'ok'],
      ['provider.register', 'wrong', 'PROVIDER_AUTH_FAILED'],
      ['provider.register', 'acme-twilio', 'CONFLICT'],
      ['provider.register', 'x', 'INVALID_INPUT'],
      ['provider.register', 'x', 'INVALID_INPUT'],
      ['provider.register', 'x', 'INVALID_INPUT'],
      ['provider.register', 'temporary', 'ok'],
      ['provider.remove', 'temporary', 'ok'],
      ['provider.remove', 'temporary', 'NOT_FOUND'],
      ['provider.register', 'over-rest', 'ok'],
      ['provider.register', 'refused', 'PROVIDER_AUTH_FAILED'],
      ['provider.remove', 'over-rest', 'ok'],
    ]);
  });

  it('never shows a credential: not in any tool result or REST body, log line or audit row', async () => {
    const audit = JSON.stringify(await server.app.ports.db.audit.list({ limit: 100 }));
    expect(captured.text.length).toBeGreaterThan(0);
    for (const secret of [sim.authToken, apiKey.secret, 'wrong-secret-for-the-key-000', 'wrong-token-over-rest-000']) {
      for (const text of [...seen, captured.text, audit]) expect(text).not.toContain(secret);
    }
  });
});

describe('without COMMS_CREDENTIALS_KEY', () => {
  it('refuses to register, before calling the provider, with the code and how to make a key', async () => {
    const keyless = await startTestServer({ env: {} });
    const client = await connectHttpClient(keyless.url, ADMIN_TOKEN);
    try {
      const before = sim.requests.length;
      const error = await callErr(client, 'comms_register_provider', { name: 'acme', provider: 'twilio', credentials: credentials() });
      expect(error).toMatchObject({ code: 'CREDENTIALS_KEY_MISSING', nextStep: expect.stringContaining('openssl rand -base64 32') });
      expect(sim.requests.length).toBe(before);
    } finally {
      await client.close();
      await keyless.close();
    }
  });
});

describe('an adapter built with stored credentials (telephony.credentialsRef)', () => {
  /** A second server process over the same database, whose config names the stored set instead of holding credentials. */
  function configWith(telephony: Record<string, unknown>): string {
    const file = join(server.dir, `ref-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, stringify({
      server: { host: '127.0.0.1', port: 0 }, dataDir: server.dir, log: { level: 'silent' }, auth: { adminToken: ADMIN_TOKEN },
      db: { use: 'sqlite', options: { path: join(server.dir, 'comms.sqlite') } }, telephony,
      ...Object.fromEntries(['email', 'whatsapp', 'tts', 'storage', 'brain'].map((s) => [s, { enabled: false }])),
      compliance: { quietHours: { enabled: false } },
    }));
    return file;
  }

  it('sends an SMS through Twilio with the stored API key', async () => {
    const app = await buildApp(loadConfig({ file: configWith({ use: 'twilio', credentialsRef: 'acme-twilio' }), env: {} }), { migrate: true, logger: silentLogger(), env: { COMMS_CREDENTIALS_KEY: KEY } });
    try {
      const agent = (await app.runner.run('comms_create_agent', { kind: 'admin' }, { name: 'Stored', phone: OWNED })) as { agentId: string };
      const before = sim.requests.length;
      await app.runner.run('comms_send_message', { kind: 'agent', agentId: agent.agentId }, { channel: 'sms', to: PERSON, body: 'hello' });
      expect(sim.messages.at(-1)).toMatchObject({ from: OWNED, to: PERSON });
      const users = sim.requests.slice(before).map((r) => Buffer.from((r.headers.authorization ?? '').slice(6), 'base64').toString().split(':')[0]);
      expect(new Set(users)).toEqual(new Set([apiKey.sid]));
    } finally {
      await app.close();
    }
  });

  it('refuses to start, with the code, when the key is missing or the set unknown or for another provider', async () => {
    const start = async (telephony: Record<string, unknown>, env: Record<string, string>) =>
      buildApp(loadConfig({ file: configWith(telephony), env: {} }), { migrate: true, logger: silentLogger(), env });
    await expect(start({ use: 'twilio', credentialsRef: 'acme-twilio' }, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('CREDENTIALS_KEY_MISSING') });
    await expect(start({ use: 'twilio', credentialsRef: 'acme-twilio' }, { COMMS_CREDENTIALS_KEY: randomBytes(32).toString('base64') }))
      .rejects.toMatchObject({ message: expect.stringContaining('CREDENTIALS_KEY_UNKNOWN') });
    await expect(start({ use: 'twilio', credentialsRef: 'nobody' }, { COMMS_CREDENTIALS_KEY: KEY })).rejects.toMatchObject({ message: expect.stringContaining('no credential set named "nobody"') });
    await expect(start({ use: 'vonage', credentialsRef: 'acme-twilio' }, { COMMS_CREDENTIALS_KEY: KEY })).rejects.toMatchObject({ message: expect.stringContaining('is for twilio, not vonage') });
    await expect(start({ use: ['twilio', 'mock'], credentialsRef: 'acme-twilio' }, { COMMS_CREDENTIALS_KEY: KEY })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

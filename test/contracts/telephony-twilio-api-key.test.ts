import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import twilioPlugin from '../../adapters/twilio/plugin.js';
import whatsappPlugin from '../../adapters/twilio/whatsapp-plugin.js';
import { expectFailure } from '../../contracts/domain-error-assertions.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import { canCheckCredentials } from '../../ports/credential-check.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import { AudioFileServer, silentWav } from '../simulators/twilio/audio-file-server.js';
import { SimulatorHttpClient } from '../simulators/twilio/simulator-http-client.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const OWNED = '+15550100';
const REACHABLE = '+15550101';
const WRONG_SECRET = 'wrong-api-key-secret-0123456789';

const sim = new TwilioSimulator({ ownedNumbers: [OWNED], callbackDelayMs: 1 });
const audio = new AudioFileServer();
let audioUrl = '';

const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };
const context: PluginContext = {
  logger: silentLogger,
  clock: { now: () => new Date() },
  ids: { next: (prefix) => `${prefix}1` },
  publicBaseUrl: 'https://comms.example.com',
  configDir: '.',
  dataDir: './data',
  events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
};

let opened: Array<{ close?(): Promise<void> }> = [];
async function apiKeyPort(key: { sid: string; secret: string }): Promise<TelephonyPort> {
  const port = await twilioPlugin.create({
    accountSid: sim.accountSid, authToken: sim.authToken, apiKeySid: key.sid, apiKeySecret: key.secret, baseUrl: sim.baseUrl, timeoutMs: 1000,
  }, context);
  opened.push(port);
  return port;
}

/** Basic auth of every request the adapter made: the user name shows which credentials it used. */
const basicUsers = () => sim.requests.map((r) => Buffer.from((r.headers.authorization ?? '').replace('Basic ', ''), 'base64').toString('utf8').split(':')[0]);

beforeAll(async () => {
  await Promise.all([sim.start(), audio.start()]);
  audioUrl = audio.serve('/media/api-key.wav', { contentType: 'audio/wav', body: silentWav(1) });
});
afterEach(async () => {
  await Promise.all(opened.map((p) => p.close?.()));
  opened = [];
  expect(sim.specViolations).toEqual([]);
  sim.reset();
});
afterAll(async () => {
  await Promise.all([sim.stop(), audio.stop()]);
});

describe('Twilio API keys (the Keys resource of the simulator)', () => {
  it('creates a key over the Keys resource with the account credentials; the secret is shown once, at creation', async () => {
    const account = twilio(sim.accountSid, sim.authToken, { httpClient: new SimulatorHttpClient(sim.baseUrl, 2000), autoRetry: false });
    const created = await account.api.v2010.accounts(sim.accountSid).newKeys.create({ friendlyName: 'comms' });
    expect(created.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(created.secret).toMatch(/.{16,}/);
    const listed = await account.api.v2010.accounts(sim.accountSid).keys.list();
    expect(listed.map((k) => k.sid)).toContain(created.sid);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    // A standard key may not manage keys.
    const keyed = twilio(created.sid, created.secret, { accountSid: sim.accountSid, httpClient: new SimulatorHttpClient(sim.baseUrl, 2000), autoRetry: false });
    await expect(keyed.api.v2010.accounts(sim.accountSid).keys.list()).rejects.toMatchObject({ status: 401, code: 20003 });
  });
});

describe('twilio adapter with an API key instead of the auth token', () => {
  it('sends an SMS and places a call, authenticating every REST call with the key', async () => {
    const key = sim.createApiKey('contract');
    const port = await apiKeyPort(key);
    const sent = await port.sendSms({ from: OWNED, to: REACHABLE, body: 'hi', reference: 'msg_1' });
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const call = await port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'play', audioUrls: [audioUrl], loop: 1 }, reference: 'call_1' });
    expect(call.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(sim.messages).toHaveLength(1);
    expect(sim.calls).toHaveLength(1);
    expect(new Set(basicUsers())).toEqual(new Set([key.sid]));
  });

  it('checks its credentials with a free read a standard key may make (the balance, not the Account resource)', async () => {
    const key = sim.createApiKey();
    const port = await apiKeyPort(key);
    if (!canCheckCredentials(port)) throw new Error('the Twilio adapter must check its credentials');
    expect(await port.checkCredentials()).toContain(`API key ${key.sid.slice(0, 6)}…`);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /2010-04-01/Accounts/${sim.accountSid}/Balance.json`]);
  });

  it('fails with PROVIDER_AUTH_FAILED, naming no secret, when the key secret is wrong: for SMS, calls and the credential check', async () => {
    const key = sim.createApiKey();
    const port = await apiKeyPort({ sid: key.sid, secret: WRONG_SECRET });
    const secrets = [WRONG_SECRET, sim.authToken];
    await expectFailure(port.sendSms({ from: OWNED, to: REACHABLE, body: 'hi', reference: 'msg_1' }), 'PROVIDER_AUTH_FAILED', secrets);
    await expectFailure(port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'play', audioUrls: [audioUrl], loop: 1 }, reference: 'call_1' }), 'PROVIDER_AUTH_FAILED', secrets);
    if (!canCheckCredentials(port)) throw new Error('the Twilio adapter must check its credentials');
    await expectFailure(port.checkCredentials(), 'PROVIDER_AUTH_FAILED', secrets);
    expect(sim.messages).toHaveLength(0);
    expect(sim.calls).toHaveLength(0);
  });

  it('still verifies webhook signatures with the auth token', async () => {
    const port = await apiKeyPort(sim.createApiKey());
    const url = 'https://comms.example.com/webhooks/twilio/sms?agent=agt_1';
    const signed = sim.buildInboundSms({ url, from: REACHABLE, to: OWNED, body: 'hello', signature: 'valid' });
    const forged = sim.buildInboundSms({ url, from: REACHABLE, to: OWNED, body: 'hello', signature: 'forged' });
    const asRequest = (w: typeof signed) => ({ url: w.url, method: w.method, headers: w.headers, rawBody: w.rawBody, params: w.params });
    expect(port.verifyWebhook(asRequest(signed))).toBe(true);
    expect(port.verifyWebhook(asRequest(forged))).toBe(false);
  });

  it('serves WhatsApp with the key too', async () => {
    const key = sim.createApiKey();
    const port = await whatsappPlugin.create({ accountSid: sim.accountSid, authToken: sim.authToken, apiKeySid: key.sid, apiKeySecret: key.secret, baseUrl: sim.baseUrl }, context);
    opened.push(port);
    if (!canCheckCredentials(port)) throw new Error('the Twilio WhatsApp adapter must check its credentials');
    await port.checkCredentials();
    expect(new Set(basicUsers())).toEqual(new Set([key.sid]));
  });

  it('refuses an API key without its secret when the options are loaded', async () => {
    const options = { accountSid: sim.accountSid, authToken: sim.authToken, apiKeySid: sim.createApiKey().sid };
    await expect(loadPlugin('telephony', { use: 'twilio', options }, context)).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: expect.stringContaining('apiKeySecret') });
  });
});

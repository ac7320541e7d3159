import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockTelephony } from '../../adapters/mock/mock-telephony.js';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { FakeClock } from '../support/fake-clock.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const AGENT = '+15550100071';
const NEW_YORK = '+12125550171';
const BOISE = '+12085550172';
const BERLIN = '+4930555017300';
const TEST_RANGE = '+15550100174';

describe('quiet hours, do-not-contact, consent and content over MCP (fake clock)', () => {
  // Monday 2026-11-30 12:00 UTC: 07:00 in New York, 05:00 in Boise, 13:00 in Berlin.
  const clock = new FakeClock(new Date('2026-11-30T12:00:00.000Z'));
  let server: TestServer;
  let client: Client;
  let admin: Client;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer({
      clock,
      extra: {
        tts: { use: 'mock' }, storage: { use: 'local' }, brain: { use: 'mock' }, email: { use: 'mock' },
        compliance: { quietHours: { countries: { DE: { start: '09:00', end: '20:00' } } }, content: { words: ['Acme Rival'] } },
      },
    });
    const agent = await server.createAgent({ name: 'Rules', phone: AGENT, email: 'rules@example.com' });
    agentId = agent.agentId;
    client = await connectHttpClient(server.url, agent.token);
    admin = await connectHttpClient(server.url, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await client?.close();
    await admin?.close();
    await server?.close();
  });

  const sentCount = () => (server.app.ports.telephony!.port as MockTelephony).sent.length;
  const sms = (to: string, body = 'Your appointment is tomorrow at 10.') => ({ channel: 'sms', to, body });

  it('refuses a text at 07:00 in New York with the next allowed time in UTC and local time, sending nothing', async () => {
    const before = sentCount();
    const refused = await callErr(client, 'comms_send_message', sms(NEW_YORK));
    expect(refused).toMatchObject({
      code: 'QUIET_HOURS',
      details: { nextAllowedAt: '2026-11-30T13:00:00.000Z', nextAllowedLocal: '2026-11-30T08:00:00-05:00', recipientTimeZone: 'America/New_York', retryAfterSeconds: 3600, window: '08:00–21:00' },
    });
    expect(refused.nextStep).toContain('2026-11-30T13:00:00.000Z');
    expect(sentCount()).toBe(before);
    // Calls and voice messages too.
    expect((await callErr(client, 'comms_make_call', { to: NEW_YORK, purpose: 'Confirm the appointment' })).code).toBe('QUIET_HOURS');
    expect((await callErr(client, 'comms_send_voice_message', { to: NEW_YORK, text: 'Hello' })).code).toBe('QUIET_HOURS');
    // Email has no quiet hours.
    await callOk(client, 'comms_send_message', { channel: 'email', to: 'ny@example.com', subject: 'Hi', text: 'Early mail is fine.' });
    // Berlin (13:00, inside its own 09:00–20:00) is fine at the same instant.
    await callOk(client, 'comms_send_message', sms(BERLIN));
  });

  it('comms_check_contact tells when: the next allowed time, in UTC and in the recipient\'s zone', async () => {
    const check = await callOk<{ allowed: boolean; nextAllowedAt: string; nextAllowedLocal: string; reasons: Array<{ code: string }> }>(client, 'comms_check_contact', { to: NEW_YORK, channel: 'sms' });
    expect(check).toMatchObject({ allowed: false, nextAllowedAt: '2026-11-30T13:00:00.000Z', nextAllowedLocal: '2026-11-30T08:00:00-05:00', reasons: [{ code: 'QUIET_HOURS' }] });
    clock.set('2026-11-30T13:00:00.000Z');
    expect(await callOk(client, 'comms_check_contact', { to: NEW_YORK, channel: 'voice' })).toMatchObject({ allowed: true, reasons: [], nextAllowedAt: null });
    await callOk(client, 'comms_send_message', sms(NEW_YORK));
  });

  it('a number spanning zones waits for the later one; the fictional test range has no local time', async () => {
    // 08:00 in New York is 06:00 in Boise and 05:00 in Los Angeles (Idaho spans both).
    expect(await callErr(client, 'comms_send_message', sms(BOISE))).toMatchObject({
      code: 'QUIET_HOURS', details: { nextAllowedAt: '2026-11-30T16:00:00.000Z', recipientTimeZone: 'America/Los_Angeles', recipientTimeZones: 'America/Boise,America/Los_Angeles' },
    });
    // The fictional 555 01xx range rings no one: no local time to respect, so demo sends are never refused.
    expect(await callOk(client, 'comms_send_message', sms(TEST_RANGE))).toMatchObject({ status: expect.any(String) });
  });

  it('allows a reply when the person wrote in the last 24 hours, not after', async () => {
    clock.set('2026-12-01T03:00:00.000Z'); // 22:00 in New York
    const body = new URLSearchParams({ MessageSid: 'MOCKQH1', From: NEW_YORK, To: AGENT, Body: 'Can we move it?' }).toString();
    const url = `${server.url}/webhooks/${agentId}/sms`;
    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': signMockWebhook('demo-secret', url, body) }, body });
    expect(posted.status).toBe(200);
    await callOk(client, 'comms_send_message', sms(NEW_YORK, 'Sure, which day?'));
    clock.set('2026-12-02T03:00:01.000Z');
    expect((await callErr(client, 'comms_send_message', sms(NEW_YORK, 'Still there?'))).code).toBe('QUIET_HOURS');
  });

  it('follows per-agent settings: its own window, or an exemption', async () => {
    clock.set('2026-12-02T12:30:00.000Z'); // 07:30 in New York
    expect((await callErr(client, 'comms_send_message', sms(NEW_YORK))).code).toBe('QUIET_HOURS');
    await callOk(admin, 'comms_set_agent_compliance', { agentId, settings: { quietHours: { start: '07:00', end: '20:00' } } });
    await callOk(client, 'comms_send_message', sms(NEW_YORK));
    clock.set('2026-12-03T02:00:00.000Z'); // 21:00 in New York: inside the server's window, outside the agent's
    expect(await callErr(client, 'comms_send_message', sms(NEW_YORK))).toMatchObject({ code: 'QUIET_HOURS', details: { window: '07:00–20:00' } });
    await callOk(admin, 'comms_set_agent_compliance', { agentId, settings: { quietHours: { enabled: false } } });
    await callOk(client, 'comms_send_message', sms(NEW_YORK));
    await callOk(admin, 'comms_set_agent_compliance', { agentId, settings: {} });
    clock.set('2026-12-03T15:00:00.000Z'); // 10:00 in New York from here on
  });

  it('do-not-contact: add, CSV import, check and remove, global and per agent; calls and texts answer DO_NOT_CONTACT', async () => {
    const listed = '+12125550181';
    expect(await callOk(admin, 'comms_add_do_not_contact', { numbers: [listed, '+1 (212) 555-0181'] })).toEqual({ added: 1, alreadyListed: 0 });
    expect(await callOk(admin, 'comms_add_do_not_contact', { numbers: [listed] })).toEqual({ added: 0, alreadyListed: 1 });
    const before = sentCount();
    expect(await callErr(client, 'comms_send_message', sms(listed))).toMatchObject({ code: 'DO_NOT_CONTACT', details: { list: 'global' } });
    expect((await callErr(client, 'comms_make_call', { to: listed, purpose: 'x' })).code).toBe('DO_NOT_CONTACT');
    expect(sentCount()).toBe(before);

    const imported = await callOk(admin, 'comms_import_do_not_contact', { agentId, csv: 'number,name\n+12125550182,Ada\n\n"+1 212 555 0183",Bob\n' });
    expect(imported).toEqual({ added: 2, alreadyListed: 0, rows: 2 });
    expect((await callErr(admin, 'comms_import_do_not_contact', { csv: '+12125550184\nnot-a-number\n' })).details).toMatchObject({ field: 'csv line 2' });
    expect(await callOk(admin, 'comms_check_do_not_contact', { numbers: ['+12125550184'] })).toEqual({ numbers: [{ number: '+12125550184', listed: false, lists: [] }] });
    expect(await callErr(client, 'comms_send_message', sms('+12125550183'))).toMatchObject({ code: 'DO_NOT_CONTACT', details: { list: 'agent' } });
    expect(await callOk(admin, 'comms_check_do_not_contact', { numbers: [listed, '+12125550182'], agentId })).toEqual({
      numbers: [{ number: listed, listed: true, lists: ['global'] }, { number: '+12125550182', listed: true, lists: [agentId] }],
    });
    // An agent cannot edit the list.
    expect((await callErr(client, 'comms_add_do_not_contact', { numbers: ['+12125550185'] })).code).toBe('FORBIDDEN');
    expect(await callOk(admin, 'comms_remove_do_not_contact', { numbers: [listed] })).toEqual({ removed: 1 });
    await callOk(client, 'comms_send_message', sms(listed));
  });

  it('marketing needs a recorded consent on channels that require it; withdrawal ends it; transactional is unaffected', async () => {
    const person = '+12125550191';
    const marketing = { ...sms(person, 'Winter sale: 20% off'), purpose: 'marketing' };
    expect(await callErr(client, 'comms_send_message', marketing)).toMatchObject({ code: 'CONSENT_REQUIRED', details: { channel: 'sms', consent: 'none' } });
    await callOk(client, 'comms_send_message', sms(person));
    const recorded = await callOk<{ consentId: string; status: string }>(client, 'comms_record_consent', {
      contact: person, channel: 'sms', scope: 'marketing', source: 'web-form', evidence: 'form 42, checkbox ticked', givenAt: '2026-12-01T10:00:00Z',
    });
    expect(recorded.status).toBe('granted');
    await callOk(client, 'comms_send_message', marketing);
    await callOk(client, 'comms_record_consent', { contact: person, channel: 'sms', scope: 'marketing', status: 'withdrawn', source: 'call' });
    expect(await callErr(client, 'comms_send_message', marketing)).toMatchObject({ code: 'CONSENT_REQUIRED', details: { consent: 'withdrawn' } });
    const { consents } = await callOk<{ consents: Array<{ status: string; evidence: string | null }> }>(client, 'comms_get_consent', { contact: person });
    expect(consents.map((c) => c.status)).toEqual(['withdrawn', 'granted']);
    expect(consents[1]!.evidence).toBe('form 42, checkbox ticked');
    // Email marketing needs no consent by default (CAN-SPAM is opt-out), only the footer address.
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: 'x@example.com', subject: 'Sale', text: 'Sale', purpose: 'marketing' })).code).toBe('CHANNEL_NOT_CONFIGURED');
  });

  it('blocks threatening, harassing, profane and operator-listed text, naming the rule and never the words', async () => {
    const before = sentCount();
    const threat = await callErr(client, 'comms_send_message', sms(NEW_YORK, 'Pay today or I will hurt you.'));
    expect(threat).toMatchObject({ code: 'CONTENT_BLOCKED', details: { rule: 'threat' } });
    expect(JSON.stringify(threat)).not.toMatch(/hurt/);
    expect((await callErr(client, 'comms_send_message', sms(NEW_YORK, 'You should kill yourself'))).details.rule).toBe('harassment');
    expect((await callErr(client, 'comms_send_message', sms(NEW_YORK, 'what the fuck'))).details.rule).toBe('profanity');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: 'y@example.com', subject: 'Try Acme Rival', text: 'x' })).details.rule).toBe('operator-list');
    expect((await callErr(client, 'comms_send_voice_message', { to: NEW_YORK, text: 'I know where you live' })).details.rule).toBe('threat');
    expect(sentCount()).toBe(before);
  });
});

describe('content filter in flag mode', () => {
  it('sends the text and logs the rule', async () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const { recordingLogger } = await import('../support/test-server.js');
    const server = await startTestServer({ logger: recordingLogger(lines), extra: { compliance: { quietHours: { enabled: false }, content: { mode: 'flag' } } } });
    try {
      const { agentId } = await server.createAgent({ name: 'Flag', phone: AGENT });
      await server.app.runner.run('comms_send_message', { kind: 'agent', agentId }, { channel: 'sms', to: NEW_YORK, body: 'what the fuck' });
      expect(lines).toContainEqual({ level: 'warn', msg: 'outbound content flagged' });
    } finally {
      await server.close();
    }
  });
});

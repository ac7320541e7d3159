import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../../ports/scenarios.js';
import { SCENARIO_AGENT_NUMBERS, SimulatorScenarioContact } from '../support/simulator-scenario-contact.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const NAMES = ['sms-reply', 'email-attachment', 'whatsapp-template', 'voice-message', 'live-call'];

/**
 * The same scenarios with the real adapters against the provider simulators: Twilio for SMS, WhatsApp and
 * voice (ConversationRelay), Resend for email. The simulators play the contact.
 */
describe('scenarios against the provider simulators', { timeout: 120_000 }, () => {
  const twilio = new TwilioSimulator({ ownedNumbers: SCENARIO_AGENT_NUMBERS, callbackDelayMs: 5 });
  const resend = new ResendSimulator({ eventDelayMs: 5 });
  let server: TestServer;

  beforeAll(async () => {
    await Promise.all([twilio.start(), resend.start()]);
    const twilioOptions = { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 };
    server = await startTestServer({
      telephony: { use: 'twilio', options: twilioOptions },
      extra: {
        email: { use: 'resend', options: { apiKey: resend.apiKey, baseUrl: resend.baseUrl, webhookSecret: resend.webhookSecret, timeoutMs: 2000 } },
        whatsapp: { use: 'twilio', options: twilioOptions },
        // The voice message's audio and the live call's mind are not what these scenarios test (see voice-message and voice-conversation).
        tts: { use: 'mock' },
        storage: { use: 'local' },
        brain: { use: 'mock' },
        scenarios: { allowRealProviders: true },
      },
      scenarioContact: () => new SimulatorScenarioContact(twilio, resend, () => server.url),
    });
  });
  afterEach(() => twilio.clearFaults());
  afterAll(async () => {
    await server?.close();
    await Promise.all([twilio.stop(), resend.stop()]);
  });

  const run = async (name: string): Promise<ScenarioReport> => {
    const res = await fetch(`${server.url}/api/v1/scenarios/${name}/runs`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as ScenarioReport;
  };

  it.each(NAMES)('runs %s: every step passes', async (name) => {
    const report = await run(name);
    expect(report.steps.filter((step) => !step.passed), JSON.stringify(report.steps)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('sent through the providers\' real APIs: the attachment, the template and the transfer reached the far side', () => {
    expect(resend.emails.some((email) => email.attachments.some((a) => a.filename === 'agenda.txt'))).toBe(true);
    expect(twilio.requests.some((r) => r.method === 'POST' && typeof r.params.ContentSid === 'string')).toBe(true);
    expect(twilio.calls.length).toBeGreaterThanOrEqual(2);
    expect(twilio.specViolations).toEqual([]);
    expect(resend.specViolations).toEqual([]);
  });

  it('reports a provider failure as the failed step with its code, and runs no step after it', async () => {
    twilio.failNext({ status: 503 });
    const report = await run('sms-reply');
    expect(report.passed).toBe(false);
    expect(report.steps.map((step) => [step.name, step.passed])).toEqual([['scenario agent is ready', true], ['agent sends a text', false]]);
    expect(report.steps[1]).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', detail: expect.any(String), durationMs: expect.any(Number) });
  });
});

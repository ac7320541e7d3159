import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../core/context.js';
import { eventually } from '../support/callback-receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100061';
const PERSON = '+15550100162';

describe('costs as Twilio reports them (the simulator prices messages and calls like Twilio)', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  let server: TestServer;
  let agent: Caller;

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 2000 } },
      // 20 % markup; the table says 0.01 per segment and 0.10 per minute, Twilio charges 0.0079 and 0.014.
      extra: { ...usageConfig({ markupPercent: 20 }), tts: { use: 'mock' }, storage: { use: 'local' } },
    });
    const { agentId } = await server.createAgent({ name: 'priced', phone: AGENT_NUMBER });
    agent = { kind: 'agent', agentId };
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('replaces an SMS\'s estimate with the price of the delivered message resource, keeping the markup', async () => {
    const sent = (await server.app.runner.run('comms_send_message', agent, { channel: 'sms', to: PERSON, body: 'x'.repeat(200) })) as {
      messageId: string; usage: { units: number; estimatedPrice: string };
    };
    expect(sent.usage).toMatchObject({ units: 2, estimatedPrice: '0.024000' });
    const [record] = await eventually(async () => {
      const found = await server.app.ports.db.usage.findByMessage(sent.messageId);
      return found[0]?.costSource === 'provider' ? found : undefined;
    });
    expect(record).toMatchObject({ units: 2, costMicros: 15_800, priceMicros: 18_960, state: 'charged' });
  });

  it('charges an ended call at the price of the call resource, fetched because the status callback has none', async () => {
    const placed = (await server.app.runner.run('comms_send_voice_message', agent, { to: PERSON, text: 'Reminder: Tuesday at ten.' })) as { callId: string };
    const call = await eventually(async () => {
      const found = (await server.app.ports.db.usage.findByCall(placed.callId)).find((r) => r.action === 'call');
      return found?.costSource === 'provider' ? found : undefined;
    });
    const log = (await server.app.ports.db.calls.findById(placed.callId))!;
    const far = sim.calls.find((c) => c.sid === log.providerCallId)!;
    expect(far.price).toMatch(/^-0\.\d{5}$/);
    const minutes = Math.ceil(far.durationSeconds! / 60);
    expect(call).toMatchObject({ units: minutes, costMicros: minutes * 14_000, priceMicros: minutes * 16_800, state: 'charged' });
  });
});

/**
 * What a webhook's signature check costs, per provider, through the adapters themselves — for genuine posts and
 * for forged ones (what a flood of fakes costs the server). Run on demand:
 *   npx tsx test/bench/webhook-verification.ts [count]
 */
import { EventWebhook } from '@sendgrid/eventwebhook';
import sendGridPlugin from '../../adapters/sendgrid/plugin.js';
import vonagePlugin from '../../adapters/vonage/telephony-plugin.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { SendGridSimulator } from '../simulators/sendgrid/sendgrid-simulator.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { testPluginContext } from '../support/plugin-context.js';

const COUNT = Number(process.argv[2] ?? 2000);
const URL_ = 'https://comms.example.com/webhooks/sms';

function measure(label: string, verify: () => boolean, expected: boolean): void {
  for (let i = 0; i < 20; i++) verify();
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) if (verify() !== expected) throw new Error(`${label}: unexpected verdict`);
  const perCall = (performance.now() - started) / COUNT;
  console.log(`${label.padEnd(44)} ${perCall.toFixed(3).padStart(8)} ms each  (${Math.round(1000 / perCall)}/s on one core)`);
}

const sendGrid = new SendGridSimulator();
const vonage = new VonageTelephonySimulator();
const ctx = testPluginContext();
const email = await sendGridPlugin.create({ apiKey: sendGrid.apiKey, eventWebhookPublicKey: sendGrid.eventWebhookPublicKey }, ctx);
const telephony = await vonagePlugin.create({ apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret, signatureMethod: vonage.signatureMethod }, ctx);
const asRequest = (w: { url: string; headers: Record<string, string>; rawBody: string; params?: Record<string, string> }): WebhookRequest =>
  ({ url: w.url, method: 'POST', headers: w.headers, rawBody: w.rawBody, params: w.params ?? {} });

const events = (signing: 'valid' | 'forged') => asRequest(sendGrid.buildEvents({ url: URL_, messageId: 'm1', kind: 'delivered', recipients: ['a@example.com'], signing }));
const genuineEvents = events('valid');
const forgedEvents = events('forged');
measure('sendgrid event webhook, genuine (ECDSA)', () => email.verifyWebhook(genuineEvents), true);
measure('sendgrid event webhook, forged', () => email.verifyWebhook(forgedEvents), false);
// Baseline: the same forged post through SendGrid's helper alone, without the native check in front of it.
const helper = new EventWebhook();
const key = helper.convertPublicKeyToECDSA(sendGrid.eventWebhookPublicKey);
const header = (name: string) => forgedEvents.headers[name] ?? '';
measure('  baseline: forged, SendGrid helper alone', () => helper.verifySignature(
  key, forgedEvents.rawBody, header('x-twilio-email-event-webhook-signature'), header('x-twilio-email-event-webhook-timestamp'),
), false);

const sms = (signature: 'valid' | 'forged') => asRequest(vonage.buildInboundSms({ url: URL_, from: '+15550101', to: '+15550100', text: 'hello', signature }));
const genuineSms = sms('valid');
const forgedSms = sms('forged');
measure('vonage inbound SMS, genuine (sig, sha256)', () => telephony.verifyWebhook(genuineSms), true);
measure('vonage inbound SMS, forged', () => telephony.verifyWebhook(forgedSms), false);

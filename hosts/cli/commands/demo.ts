import type { MessageView } from '../../../core/messages/message-view.js';
import { buildApp } from '../../composition/build-app.js';
import { givenOnly, type CliValues } from '../cli-options.js';
import { printResult } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

const USAGE = 'usage: agentos-comms demo inbound --agent AGENT_ID --channel sms|email|whatsapp --from ADDRESS --body TEXT [--subject S]';

/**
 * `demo inbound`: in demo mode, a person "replies" to an agent. Storing the message kicks the callback
 * outbox, whose first attempt completes before the command exits; a running server on the same data
 * retries a failed forward.
 */
export async function demo(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'inbound') {
    console.error(USAGE);
    return 1;
  }
  const app = await buildApp(loadCliConfig(values), OPERATOR);
  try {
    const input = givenOnly({ agentId: values.agent, channel: values.channel, from: values.from, body: values.body, subject: values.subject });
    const message = (await app.runner.run('comms_demo_inbound', { kind: 'admin' }, input)) as MessageView;
    printResult(values.json, message, () => `Stored ${message.channel} message ${message.id} from ${message.from} to ${message.to}; forwarded to the agent's callback URL if it has one.`);
  } finally {
    await app.close();
  }
  return 0;
}

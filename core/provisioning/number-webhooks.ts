import type { NumberWebhooks } from '../../ports/provisioning.js';

/**
 * Where a number's traffic should go: the agent's own webhook URLs, or for a spare of the pool the shared
 * ones (traffic to a number no agent holds is acknowledged and dropped there).
 */
export function expectedWebhooks(publicBaseUrl: string, agentId: string | null): NumberWebhooks {
  const base = agentId === null ? `${publicBaseUrl}/webhooks` : `${publicBaseUrl}/webhooks/${encodeURIComponent(agentId)}`;
  return { smsUrl: `${base}/sms`, voiceUrl: `${base}/voice`, statusCallbackUrl: `${base}/voice/status` };
}

/** The webhook fields that differ from what is expected: drift, fixed by comms_repair_channels. */
export function webhookDrift(actual: NumberWebhooks, expected: NumberWebhooks): Array<keyof NumberWebhooks> {
  return (Object.keys(expected) as Array<keyof NumberWebhooks>).filter((key) => actual[key] !== expected[key]);
}

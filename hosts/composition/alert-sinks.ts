import type { AlertSettings } from '../../core/alerts/alert-settings.js';
import type { Alert, AlertSink } from '../../ports/alerts.js';
import type { CallbackSender } from '../../ports/callbacks.js';
import type { IdGenerator, Logger } from '../../ports/runtime.js';

/** Sends a message through the server's own send use case (the operator agent's channels and limits). */
export type SendAsOperator = (input: Record<string, unknown>) => Promise<unknown>;

const text = (alert: Alert): string => `[${alert.severity}] ${alert.summary}`;

/** The log sink: one line per alert, error level for CRITICAL and HIGH. */
export function logSink(logger: Logger): AlertSink {
  return {
    name: 'log',
    async deliver(alert) {
      const fields = { alert: alert.trigger, key: alert.key, severity: alert.severity, ...alert.details };
      if (alert.severity === 'CRITICAL' || alert.severity === 'HIGH') logger.error(fields, `alert: ${alert.summary}`);
      else logger.warn(fields, `alert: ${alert.summary}`);
    },
  };
}

/**
 * A signed webhook sink: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) with
 * the configured secret, as agents' own callbacks are signed. A non-2xx answer is a failed delivery.
 */
export function webhookSink(sender: CallbackSender, ids: IdGenerator, url: string, secret: string): AlertSink {
  return {
    name: 'webhook',
    async deliver(alert) {
      const body = JSON.stringify({ type: 'alert', data: { ...alert, at: alert.at.toISOString() } });
      const { status } = await sender.post({ url, id: ids.next('alr'), timestamp: Math.floor(alert.at.getTime() / 1000), body, secret }, 10_000);
      if (status < 200 || status >= 300) throw new Error(`the alert webhook answered ${status}`);
    },
  };
}

/** The operator's sms, whatsapp and email sinks: messages from the operator agent, through comms_send_message. */
export function operatorSinks(operator: AlertSettings['operator'], send: SendAsOperator): AlertSink[] {
  const { agentId } = operator;
  if (!agentId) return [];
  const sinks: AlertSink[] = [];
  const { sms, whatsapp, email } = operator;
  if (sms) sinks.push({ name: 'sms', deliver: async (alert) => void (await send({ agentId, channel: 'sms', to: sms, body: text(alert) })) });
  if (whatsapp) sinks.push({ name: 'whatsapp', deliver: async (alert) => void (await send({ agentId, channel: 'whatsapp', to: whatsapp, body: text(alert) })) });
  if (email) {
    sinks.push({
      name: 'email',
      deliver: async (alert) => void (await send({
        agentId, channel: 'email', to: email, subject: `[${alert.severity}] AgentOS Comms alert: ${alert.trigger}`,
        text: `${alert.summary}\n\n${Object.entries(alert.details).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n`,
      })),
    });
  }
  return sinks;
}

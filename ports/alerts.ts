/** How urgent an alert is; config routes each severity to its sinks. */
export const ALERT_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Something the operator should know about now. Codes, ids and counts only: never numbers, addresses or bodies. */
export interface Alert {
  /** What raised it: `provider-auth`, `provider-outage`, `webhook-signatures`, `outbox-backlog`, `spending`, `anomaly`. */
  trigger: string;
  /** De-duplication and rate-limit key: the same key within the window is one alert (`provider-auth:twilio`). */
  key: string;
  severity: AlertSeverity;
  /** One line for a human (it is the SMS / WhatsApp text). */
  summary: string;
  details: Record<string, string | number | boolean | null>;
  at: Date;
}

/** Where alerts of a severity go (log, the operator's SMS / WhatsApp / email, a signed webhook). */
export interface AlertSink {
  readonly name: string;
  /** Rejects when the alert could not be delivered (the manager logs it and goes on with the other sinks). */
  deliver(alert: Alert): Promise<void>;
}

/** What core raises alerts through. Never throws: an alert must not break the action that raised it. */
export interface Alerts {
  raise(alert: Omit<Alert, 'at'>): void;
  /** The latest alerts raised by this process and not dropped as duplicates, newest first (the admin console). */
  recent?(limit: number): Alert[];
}

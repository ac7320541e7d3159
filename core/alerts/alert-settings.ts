import type { AlertSeverity } from '../../ports/alerts.js';

/** The `alerts:` config section (schema defaults fill every key). */
export interface AlertSettings {
  /** Sink names per severity: log, sms, whatsapp, email, webhook. */
  routes: Record<AlertSeverity, string[]>;
  /** An alert with the same key within this many seconds of the last one delivered is dropped as a duplicate. */
  dedupSeconds: number;
  /** At most this many alerts per key per hour, duplicates aside. */
  maxPerKeyPerHour: number;
  /** The agent whose channels carry alerts to the operator, and the operator's addresses. */
  operator: { agentId: string | null; sms: string | null; whatsapp: string | null; email: string | null };
  /** A signed (Standard Webhooks) POST per alert. */
  webhook: { url: string | null; secret: string | null };
  triggers: {
    providerOutage: { windowSeconds: number; minCalls: number; errorRatePercent: number };
    webhookSignatureFailures: { windowSeconds: number; count: number };
    outboxBacklogSeconds: number;
  };
  anomalies: AnomalySettings;
}

export interface AnomalySettings {
  /** Suspend the agent's sending (AGENT_SUSPENDED) on a finding, until an admin resumes it. */
  suspend: boolean;
  /** Sends in the current hour above `factor` × the agent's mean of its previous hours (and at least `minimum`). */
  sendVolume: { factor: number; minimum: number; baselineHours: number };
  /** Distinct contacts never written to before, within the window. */
  newContacts: { windowSeconds: number; count: number };
  /** Policy refusals within the window. */
  refusals: { windowSeconds: number; count: number };
  /** Token rotations within the window. */
  tokenRotations: { windowSeconds: number; count: number };
}

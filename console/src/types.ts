/** The shapes of the REST answers the console reads (see /openapi.json). */
export interface Agent {
  agentId: string;
  name: string;
  status: 'active' | 'disabled';
  callbackUrl: string | null;
  channels: Array<{ channel: string; address: string }>;
  createdAt: string;
}

export interface Overview {
  since: string;
  until: string;
  activity: Array<{ at: string; kind: 'message' | 'call'; channel: string; status: string; count: number }>;
  recentMessages: Array<{ id: string; agentId: string; channel: string; direction: string; status: string; contact: string; errorCode: string | null; createdAt: string }>;
  liveCalls: Array<{ id: string; agentId: string; direction: string; status: string; contact: string; startedAt: string }>;
  /** Null for a customer admin (the outbox is the whole server's). */
  outbox: { pending: number; oldestCreatedAt: string | null; dead: number } | null;
  alerts: Array<{ trigger: string; severity: string; summary: string; at: string }>;
}

export interface UsageDashboard {
  currency: string;
  totals: { count: number; price: string; cost: string; agents: number };
  byTier: Array<{ tier: string; agents: number; count: number; price: string }>;
  refusals: Array<{ code: string; count: number }>;
}

export interface AgentUsage {
  agentId: string;
  currency: string;
  standings: Array<{ limit: string; cap: string; used: string; remaining: string; resetAt: string }>;
  limits: { tier: string };
  totalPrice: string;
}

export interface AuditEntry { seq: number; at: string; actorKind: string; action: string; agentId: string | null; outcome: string }
export interface AuditReport { valid: boolean; checked: number; firstBreak: { seq: number; problem: string } | null }
export interface Provider { name: string; provider: string; port: string; verified: string; verifiedAt: string }
export interface Revealed { contact: string; body: string | null; subject: string | null }

export interface ScenarioSummary { name: string; title: string; channels: string[] }
export interface ScenarioReport {
  scenario: string;
  passed: boolean;
  steps: Array<{ name: string; passed: boolean; detail: string; durationMs: number; code?: string }>;
}

export interface Provisioned {
  number: { phoneNumber: string; source: 'existing' | 'pool' | 'bought' } | null;
  whatsapp: { address: string } | null;
  email: { address: string; status: string; records: Array<{ record: string; type: string; name: string; value: string }> } | null;
  steps: string[];
}
export interface ChannelStatus { numbers: Array<{ numberId: string; phoneNumber: string; state: string }>; whatsapp: Array<{ address: string }> }
export interface Deprovisioned { numbers: Array<{ phoneNumber: string; outcome: 'pool' | 'released' | 'gone' }>; whatsappSendersReturned: number }

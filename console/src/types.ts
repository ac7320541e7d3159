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
  outbox: { pending: number; oldestCreatedAt: string | null; dead: number };
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

/** The `security` section (config/schema.json fills every default): defences of the HTTP listener. */
export interface RequestLimit {
  /** Requests per client IP in each window; 0: no limit. */
  requests: number;
  perSeconds: number;
}

export const ROUTE_GROUPS = ['mcp', 'api', 'webhooks', 'admin'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export interface IpFilterSettings {
  allow: string[];
  deny: string[];
}

export interface SecuritySettings {
  trustedProxies: string[];
  rateLimits: {
    store: 'memory' | 'redis' | 'postgresql';
    redisUrl: string;
    postgresUrl?: string;
    postgresSchema?: string;
    keyPrefix: string;
    global: RequestLimit;
  } & Record<RouteGroup, RequestLimit>;
  lockout: { enabled: boolean; failures: number; windowSeconds: number; firstLockSeconds: number; maxLockSeconds: number };
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  maxConnections: number;
  maxInFlight: number;
  loadShedding: { eventLoopDelayMs: number; retryAfterSeconds: number };
  ipFilters: { admin: IpFilterSettings; metrics: IpFilterSettings; webhooks: IpFilterSettings };
  cors: { origins: string[] };
}

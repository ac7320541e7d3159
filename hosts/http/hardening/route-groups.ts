import type { RouteGroup } from '../../config/security-settings.js';

export type RequestGroup = RouteGroup | 'health' | 'metrics' | 'other';

interface RestRoute {
  method: string;
  path: string;
}

/**
 * Sorts a request into the group its limits and filters are chosen by, from method and path alone (before
 * routing and before any token is read). `adminRoutes` are the REST routes that need the admin token.
 */
export function routeGrouper(adminRoutes: readonly RestRoute[]): (method: string, path: string) => RequestGroup {
  const admin = adminRoutes.map((route) => ({ method: route.method, pattern: new RegExp(`^/api/v1${route.path.replace(/:[^/]+/g, '[^/]+')}/?$`) }));
  return (method, path) => {
    if (path === '/health' || path.startsWith('/health/')) return 'health';
    if (path === '/metrics') return 'metrics';
    if (path === '/mcp') return 'mcp';
    if (path.startsWith('/webhooks/') || path.startsWith('/unsubscribe/')) return 'webhooks';
    if (path.startsWith('/api/')) return admin.some((route) => route.method === method && route.pattern.test(path)) ? 'admin' : 'api';
    return 'other';
  };
}

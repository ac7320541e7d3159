import type { OAuthSettings } from '../../config/oauth-settings.js';

/** RFC 9728 §3: the well-known path; for a resource with a path (/mcp) the path is appended to it. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
export const MCP_PATH = '/mcp';

/** The canonical URI of the MCP endpoint (MCP authorization §"Canonical Server URI"): the tokens' audience. */
export function mcpResource(publicBaseUrl: string): string {
  return `${publicBaseUrl}${MCP_PATH}`;
}

/** Where a 401 for `path` points the client: the MCP endpoint's own metadata, or the server's. */
export function resourceMetadataUrl(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl}${PROTECTED_RESOURCE_PATH}${path === MCP_PATH ? MCP_PATH : ''}`;
}

/**
 * The Protected Resource Metadata document (RFC 9728 §2). Both well-known URLs describe the one resource
 * clients ask tokens for, the MCP endpoint; REST routes accept the same tokens.
 */
export function protectedResourceMetadata(settings: OAuthSettings, publicBaseUrl: string): Record<string, unknown> {
  return {
    resource: mcpResource(publicBaseUrl),
    authorization_servers: settings.issuers.map((issuer) => issuer.issuer),
    bearer_methods_supported: ['header'],
    ...(settings.requiredScopes.length > 0 ? { scopes_supported: settings.requiredScopes } : {}),
    resource_name: 'AgentOS Comms',
  };
}

export interface BearerChallenge {
  /** RFC 6750 §3.1: a token was sent and refused, or lacks scope. */
  error?: 'invalid_token' | 'insufficient_scope';
  scope?: string;
  /** RFC 9728 §5.1: where the client finds the authorization servers. */
  resourceMetadata?: string;
}

/** The `WWW-Authenticate` value of a refusal (RFC 6750 §3, RFC 9728 §5.1). */
export function bearerChallenge(challenge: BearerChallenge): string {
  const params = ['realm="agentos-comms"'];
  if (challenge.error) params.push(`error="${challenge.error}"`);
  if (challenge.scope) params.push(`scope="${challenge.scope}"`);
  if (challenge.resourceMetadata) params.push(`resource_metadata="${challenge.resourceMetadata}"`);
  return `Bearer ${params.join(', ')}`;
}

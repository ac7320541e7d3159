import type Router from '@koa/router';
import { callerForAgentId } from '../../../core/auth/authenticate.js';
import type { Caller, CorePorts } from '../../../core/context.js';
import type { DomainError } from '../../../ports/errors.js';
import type { OAuthSettings } from '../../config/oauth-settings.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { IssuerKeys } from './issuer-keys.js';
import { MCP_PATH, PROTECTED_RESOURCE_PATH, bearerChallenge, mcpResource, protectedResourceMetadata, resourceMetadataUrl } from './protected-resource.js';

/** Routes whose 401 points at the protected resource metadata: the ones OAuth access tokens are good for. */
const OAUTH_ROUTE = /^\/(mcp$|api\/)/;

/**
 * This server as an OAuth 2.1 resource server (MCP authorization): publishes its protected resource
 * metadata, verifies JWT access tokens of the configured issuers, and says in each refusal where a client
 * gets a token. With no issuer configured it only writes the plain Bearer challenge of static tokens.
 */
export class OAuthResourceServer {
  private readonly verifier: AccessTokenVerifier | null;

  constructor(private readonly settings: OAuthSettings, private readonly ports: CorePorts, keys = new IssuerKeys()) {
    this.verifier = settings.issuers.length > 0 ? new AccessTokenVerifier(settings, () => mcpResource(ports.settings.publicBaseUrl), keys) : null;
  }

  /** Whether `token` goes to OAuth verification: OAuth is on and it is shaped like a JWT (decided locally). */
  handles(token: string): boolean {
    return this.verifier?.handles(token) ?? false;
  }

  /** The caller a JWT access token acts as; throws UNAUTHORIZED (counted as a bad token) when it is refused. */
  async authenticate(token: string): Promise<Caller> {
    const { principal } = await this.verifier!.verify(token);
    return principal.kind === 'admin' ? { kind: 'admin' } : callerForAgentId(this.ports, principal.agentId);
  }

  /** The `WWW-Authenticate` header for a refusal at `path`, or null when the refusal needs none. */
  challenge(error: DomainError, path: string, tokenSent: boolean): string | null {
    if (error.code !== 'UNAUTHORIZED' && error.code !== 'INSUFFICIENT_SCOPE') return null;
    const oauth = this.verifier !== null && OAUTH_ROUTE.test(path);
    return bearerChallenge({
      error: error.code === 'INSUFFICIENT_SCOPE' ? 'insufficient_scope' : tokenSent ? 'invalid_token' : undefined,
      scope: oauth ? this.settings.requiredScopes.join(' ') || undefined : undefined,
      resourceMetadata: oauth ? resourceMetadataUrl(this.ports.settings.publicBaseUrl, path) : undefined,
    });
  }

  /** GET /.well-known/oauth-protected-resource and …/mcp (RFC 9728 §3.1); absent while OAuth is off. */
  register(router: Router): void {
    if (!this.verifier) return;
    for (const path of [PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}${MCP_PATH}`]) {
      router.get(path, (ctx) => {
        ctx.set('cache-control', 'public, max-age=300');
        ctx.body = protectedResourceMetadata(this.settings, this.ports.settings.publicBaseUrl);
      });
    }
  }
}

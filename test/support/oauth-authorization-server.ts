import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAuthorizationServer {
  issuer: string;
  /** Requests the authorization server received, by path (discovery and JWKS fetches are counted here). */
  requests: string[];
  /**
   * Signs an access token with the authorization server's own key, as it would: for the tokens it would
   * not issue on request (expired, another audience, without a scope), to check the server refuses them.
   */
  sign(claims: JWTPayload, options?: { expiresIn?: number | string }): Promise<string>;
  close(): Promise<void>;
}

export interface AuthorizationServerOptions {
  /** The account every authorization logs in (the test's user), and the agent its tokens act as. */
  account: string;
  agentIdOf(account: string): string | undefined;
  /** Scope of the MCP resource the access tokens carry. */
  scope: string;
}

const KID = 'test-signing-key';

/** The user's part, done at once: logs the test account in, then grants whatever the client asked for. */
async function finishInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse, account: string): Promise<void> {
  const { prompt, grantId, params, session } = await provider.interactionDetails(req, res);
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = (grantId ? await provider.Grant.find(grantId) : undefined) ?? new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  const details = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

/**
 * A real OAuth 2.1 / OpenID provider (`oidc-provider`) on loopback: dynamic client registration, PKCE,
 * resource indicators (RFC 8707) so that access tokens are JWTs whose audience is the resource asked for,
 * and an interaction that logs the test account in without a form and grants what was asked (consent is
 * implied, as the oidc-provider examples do it), so that a client can follow the redirects with plain fetch.
 */
export async function startAuthorizationServer(options: AuthorizationServerOptions): Promise<TestAuthorizationServer> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256', use: 'sig' };
  const requests: string[] = [];
  // Listening first: the provider is built with its issuer URL, which holds the port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: ['cookie-signing-key-for-tests-only'] },
    // Its only key is an EC key: registered clients default to it.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    // Clients register with the scope the MCP server advertises (RFC 7591 `scope`): it must be known here.
    scopes: ['openid', 'offline_access', options.scope],
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: options.scope,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    // The claim the MCP server maps to an agent (auth.oauth.issuers[].agentClaim).
    extraTokenClaims: (_ctx, token) => {
      const agentId = 'accountId' in token && token.accountId ? options.agentIdOf(token.accountId) : undefined;
      return agentId ? { agentos_agent: agentId } : undefined;
    },
  });

  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (req.url?.startsWith('/interaction/')) {
      void finishInteraction(provider, req, res, options.account).catch((err: unknown) => res.writeHead(500).end(String(err)));
      return;
    }
    void handle(req, res);
  });

  return {
    issuer,
    requests,
    sign: (claims, signOptions = {}) =>
      new SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime(signOptions.expiresIn ?? '5m')
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

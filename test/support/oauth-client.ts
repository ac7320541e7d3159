import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/** The first `name=value` of each Set-Cookie header, kept by name: enough for one loopback host. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * An MCP client's OAuth side, as the SDK asks for it, for a client without a browser: `redirectToAuthorization`
 * follows the authorization server's redirects itself (carrying its cookies, as a browser would) until the
 * redirect back to `redirectUrl`, and keeps the authorization code it carries.
 */
export class FollowingOAuthClient implements OAuthClientProvider {
  private client: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  /** The code of the last completed authorization. */
  code: string | undefined;
  /** Where the SDK sent the user to authorize (its query: resource, scope, PKCE). */
  authorizationUrl: URL | undefined;

  constructor(readonly redirectUrl = 'http://127.0.0.1:1/callback') {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'agentos-comms OAuth test client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrl = url;
    const jar = new CookieJar();
    let next = url.href;
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.keep(response);
      await response.text();
      const location = response.headers.get('location');
      if (!location) throw new Error(`authorization stopped at ${new URL(next).pathname} with status ${response.status}`);
      const target = new URL(location, next);
      if (target.href.startsWith(this.redirectUrl)) {
        const error = target.searchParams.get('error');
        if (error) throw new Error(`authorization refused: ${error} ${target.searchParams.get('error_description') ?? ''}`);
        this.code = target.searchParams.get('code') ?? undefined;
        return;
      }
      next = target.href;
    }
    throw new Error('authorization redirected too many times');
  }
}

/** One authorization server whose JWT access tokens this server accepts (`auth.oauth.issuers[]`). */
export interface OAuthIssuerSettings {
  /** The issuer identifier, compared exactly with the token's `iss`. */
  issuer: string;
  /** Where its signing keys are; null: discovered from its metadata (RFC 8414, then OpenID Connect Discovery). */
  jwksUri: string | null;
  /** Accepted `aud` values; null: this server's MCP URL (publicBaseUrl + /mcp), the resource clients ask tokens for. */
  audience: string[] | null;
  /** The claim whose value is the id of the agent the token acts as. */
  agentClaim: string;
  /** A token whose `adminClaim` is (or, for a list, contains) `adminValue` acts as the admin; null: never. */
  adminClaim: string | null;
  adminValue: string | null;
  /** Signing algorithms accepted (asymmetric only: the keys come from a public JWKS). */
  algorithms: string[];
}

/** `auth.oauth`: this server as an OAuth 2.1 resource server (MCP authorization). Off while `issuers` is empty. */
export interface OAuthSettings {
  issuers: OAuthIssuerSettings[];
  /** Scopes every access token must carry; advertised in the protected resource metadata and in 401 challenges. */
  requiredScopes: string[];
  /** Slack allowed on `exp` and `nbf` for clocks that differ. */
  clockToleranceSeconds: number;
}

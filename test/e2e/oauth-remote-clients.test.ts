import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startAuthorizationServer, type TestAuthorizationServer } from '../support/oauth-authorization-server.js';
import { FollowingOAuthClient } from '../support/oauth-client.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const SCOPE = 'comms';
const databases = [
  { name: 'SQLite', db: undefined },
  ...(POSTGRES_URL ? [{ name: 'PostgreSQL', db: { use: 'postgresql', options: { url: POSTGRES_URL, schema: testSchemaName(), poolMax: 4 } } }] : []),
];

describe.each(databases)('OAuth 2.1 for remote MCP clients, with oidc-provider on loopback ($name)', ({ db }) => {
  let as: TestAuthorizationServer;
  let server: TestServer;
  let agent: { agentId: string; token: string };
  const agents = new Map<string, string>();

  beforeAll(async () => {
    as = await startAuthorizationServer({ account: 'alice', agentIdOf: (account) => agents.get(account), scope: SCOPE });
    server = await startTestServer({
      db,
      extra: {
        auth: {
          adminToken: ADMIN_TOKEN,
          oauth: { issuers: [{ issuer: as.issuer, agentClaim: 'agentos_agent', adminClaim: 'roles', adminValue: 'comms-admin' }], requiredScopes: [SCOPE] },
        },
        security: { lockout: { failures: 1000 } },
      },
    });
    agent = await server.createAgent({ name: 'OAuth agent', phone: '+15550100071' });
    agents.set('alice', agent.agentId);
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  const mcpPost = (headers: Record<string, string> = {}) => fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const mcpResource = () => `${server.url}/mcp`;

  it('answers an unauthenticated request 401 with a challenge naming its protected resource metadata, which names the issuer', async () => {
    const refused = await mcpPost();
    expect(refused.status).toBe(401);
    const challenge = refused.headers.get('www-authenticate')!;
    expect(challenge).toBe(`Bearer realm="agentos-comms", scope="${SCOPE}", resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`);

    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const metadata = await fetch(server.url + path);
      expect(metadata.status, path).toBe(200);
      expect(await metadata.json()).toEqual({
        resource: mcpResource(),
        authorization_servers: [as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: [SCOPE],
        resource_name: 'AgentOS Comms',
      });
    }
    // REST routes point at the server's metadata.
    const rest = await fetch(`${server.url}/api/v1/agent`);
    expect(rest.headers.get('www-authenticate')).toContain(`resource_metadata="${server.url}/.well-known/oauth-protected-resource"`);
  });

  it('lets the MCP SDK client discover, register, authorize and call a tool as the agent its token names', async () => {
    const oauth = new FollowingOAuthClient();
    const first = new StreamableHTTPClientTransport(new URL(mcpResource()), { authProvider: oauth });
    await expect(new Client({ name: 'oauth-test', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    // The SDK found the authorization server through the metadata, registered, and asked for this server's resource.
    expect(oauth.clientInformation()?.client_id).toEqual(expect.any(String));
    expect(oauth.authorizationUrl?.origin).toBe(as.issuer);
    expect(oauth.authorizationUrl?.searchParams.get('resource')).toBe(mcpResource());
    expect(oauth.authorizationUrl?.searchParams.get('scope')).toBe(SCOPE);
    expect(oauth.code).toEqual(expect.any(String));
    await first.finishAuth(oauth.code!);

    const accessToken = oauth.tokens()!.access_token;
    expect(accessToken.split('.')).toHaveLength(3);
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpResource()), { authProvider: oauth }));
    expect(await callOk(client, 'comms_get_agent', {})).toMatchObject({ agentId: agent.agentId });
    await client.close();

    // REST accepts the same token.
    const rest = await fetch(`${server.url}/api/v1/agent`, { headers: bearer(accessToken) });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ agentId: agent.agentId });
  });

  it('refuses, 401 invalid_token, tokens for another audience, expired ones, and those of an unconfigured issuer', async () => {
    const other = await generateKeyPair('ES256');
    const cases = {
      audience: await as.sign({ aud: 'https://api.example.com/', agentos_agent: agent.agentId, scope: SCOPE }),
      expired: await as.sign({ aud: mcpResource(), agentos_agent: agent.agentId, scope: SCOPE }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      issuer: await new SignJWT({ aud: mcpResource(), agentos_agent: agent.agentId, scope: SCOPE })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-signing-key' }).setIssuer('http://127.0.0.1:9/unknown').setExpirationTime('5m').sign(other.privateKey),
      // The configured issuer's name, another key: found out only by the signature.
      signature: await new SignJWT({ aud: mcpResource(), agentos_agent: agent.agentId, scope: SCOPE })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-signing-key' }).setIssuer(as.issuer).setExpirationTime('5m').sign(other.privateKey),
    };
    for (const [reason, token] of Object.entries(cases)) {
      const refused = await mcpPost(bearer(token));
      expect(refused.status, reason).toBe(401);
      expect(refused.headers.get('www-authenticate'), reason).toBe(
        `Bearer realm="agentos-comms", error="invalid_token", scope="${SCOPE}", resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
      );
      expect(await refused.json(), reason).toMatchObject({ error: { code: 'UNAUTHORIZED', details: { reason } } });
    }
  });

  it('fetches the issuer\'s keys only for tokens that pass the local checks, and once', async () => {
    const keyFetches = () => as.requests.filter((path) => path.startsWith('/jwks') || path.startsWith('/.well-known')).length;
    const good = await as.sign({ aud: mcpResource(), agentos_agent: agent.agentId, scope: SCOPE });
    expect((await fetch(`${server.url}/api/v1/agent`, { headers: bearer(good) })).status).toBe(200);
    const fetched = keyFetches();
    // The JWKS is fetched by this server alone (clients read only the metadata), once.
    expect(as.requests.filter((path) => path === '/jwks')).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/api/v1/agent`, { headers: bearer(good) })).status).toBe(200);
    for (let i = 0; i < 3; i++) await mcpPost(bearer(await as.sign({ aud: 'https://api.example.com/', scope: SCOPE })));
    expect(keyFetches()).toBe(fetched);
    expect(as.requests.filter((path) => path === '/jwks')).toHaveLength(1);
  });

  it('answers 403 insufficient_scope to a valid token without the required scope', async () => {
    const refused = await mcpPost(bearer(await as.sign({ aud: mcpResource(), agentos_agent: agent.agentId, scope: 'openid' })));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="agentos-comms", error="insufficient_scope", scope="${SCOPE}", resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(await refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_SCOPE', details: { required: SCOPE } } });
  });

  it('answers 403 TOKEN_NOT_MAPPED to a valid token naming no agent of this server, or none at all', async () => {
    for (const claims of [{ agentos_agent: 'agt_nobody' }, {}]) {
      const refused = await mcpPost(bearer(await as.sign({ aud: mcpResource(), scope: SCOPE, sub: 'bob', ...claims })));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'TOKEN_NOT_MAPPED' } });
    }
  });

  it('maps the configured admin claim value to the admin', async () => {
    const admin = await as.sign({ aud: mcpResource(), scope: SCOPE, sub: 'ops', roles: ['viewer', 'comms-admin'] });
    const listed = await fetch(`${server.url}/api/v1/agents`, { headers: bearer(admin) });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(await listed.json())).toContain(agent.agentId);
    // Without the value, the same person is no admin (and names no agent).
    const plain = await fetch(`${server.url}/api/v1/agents`, { headers: bearer(await as.sign({ aud: mcpResource(), scope: SCOPE, sub: 'ops', roles: ['viewer'] })) });
    expect(plain.status).toBe(403);
  });

  it('keeps accepting static agent and admin tokens', async () => {
    const client = await connectHttpClient(server.url, agent.token);
    expect(await callOk(client, 'comms_get_agent', {})).toMatchObject({ agentId: agent.agentId });
    await client.close();
    expect((await fetch(`${server.url}/api/v1/agents`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
  });
});

describe('OAuth refusals and the brute-force lockout', () => {
  let as: TestAuthorizationServer;
  let server: TestServer;

  beforeAll(async () => {
    as = await startAuthorizationServer({ account: 'alice', agentIdOf: () => undefined, scope: SCOPE });
    server = await startTestServer({
      extra: {
        auth: { adminToken: ADMIN_TOKEN, oauth: { issuers: [{ issuer: as.issuer, agentClaim: 'agentos_agent' }] } },
        security: { lockout: { failures: 3, windowSeconds: 600, firstLockSeconds: 60 } },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  it('counts refused JWTs towards the address\'s lockout, cheap refusals and failed signatures alike', async () => {
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ aud: `${server.url}/mcp` }).setProtectedHeader({ alg: 'ES256' }).setIssuer(as.issuer).setExpirationTime('5m').sign(other.privateKey);
    const unknownIssuer = await new SignJWT({ aud: `${server.url}/mcp` }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://as.example.com').setExpirationTime('5m').sign(other.privateKey);
    const statuses: number[] = [];
    for (const token of [forged, unknownIssuer, forged, forged]) {
      statuses.push((await fetch(`${server.url}/api/v1/agent`, { headers: { authorization: `Bearer ${token}` } })).status);
    }
    // The third failure locks the address out (and is itself answered 401); the next request is refused unread.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

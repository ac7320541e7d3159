import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthIssuerSettings } from '../../hosts/config/oauth-settings.js';
import { AccessTokenVerifier } from '../../hosts/http/oauth/access-token-verifier.js';
import { IssuerKeys } from '../../hosts/http/oauth/issuer-keys.js';
import { unverifiedJwt } from '../../hosts/http/oauth/jwt-shape.js';
import { bearerChallenge } from '../../hosts/http/oauth/protected-resource.js';

/** An issuer's metadata and JWKS on loopback, answering what each test sets, and counting requests. */
let server: Server;
let base: string;
const hits: string[] = [];
const documents = new Map<string, unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    const body = documents.get(req.url!);
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const issuerAt = (path: string, more: Partial<OAuthIssuerSettings> = {}): OAuthIssuerSettings => ({
  issuer: `${base}${path}`, jwksUri: null, audience: null, agentClaim: 'sub', adminClaim: null, adminValue: null, algorithms: ['ES256'], ...more,
});

describe('issuer keys', () => {
  it('finds the JWKS through RFC 8414 metadata, with the well-known part inserted before the issuer\'s path', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    documents.set('/.well-known/oauth-authorization-server/tenant-a', { issuer: `${base}/tenant-a`, jwks_uri: `${base}/tenant-a/jwks` });
    documents.set('/tenant-a/jwks', { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const keys = new IssuerKeys();
    await expect(jwtVerify(token, await keys.keysOf(issuerAt('/tenant-a')))).resolves.toBeDefined();
    // Asked again: the same key set, nothing discovered twice.
    await keys.keysOf(issuerAt('/tenant-a'));
    expect(hits.filter((url) => url.includes('oauth-authorization-server/tenant-a'))).toHaveLength(1);
  });

  it('refuses metadata that names another issuer, and waits 30 s before discovering a failed issuer again', async () => {
    documents.set('/.well-known/oauth-authorization-server/mixup', { issuer: 'https://as.example.com', jwks_uri: `${base}/jwks` });
    documents.set('/mixup/.well-known/openid-configuration', { issuer: 'https://as.example.com', jwks_uri: `${base}/jwks` });
    let now = 1_000_000;
    const keys = new IssuerKeys(() => now);
    const issuer = issuerAt('/mixup');
    await expect(keys.keysOf(issuer)).rejects.toMatchObject({ code: 'AUTHORIZATION_SERVER_UNAVAILABLE', details: { issuer: issuer.issuer } });
    const tried = hits.length;
    now += 29_000;
    await expect(keys.keysOf(issuer)).rejects.toMatchObject({ code: 'AUTHORIZATION_SERVER_UNAVAILABLE' });
    expect(hits.length).toBe(tried);
    now += 2_000;
    await expect(keys.keysOf(issuer)).rejects.toMatchObject({ code: 'AUTHORIZATION_SERVER_UNAVAILABLE' });
    expect(hits.length).toBe(tried + 2);
  });

  it('answers AUTHORIZATION_SERVER_UNAVAILABLE, not a refused token, when the issuer\'s keys cannot be had', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const issuer = issuerAt('/down');
    const verifier = new AccessTokenVerifier({ issuers: [issuer], requiredScopes: [], clockToleranceSeconds: 0 }, () => 'https://comms.example.com/mcp');
    const token = await new SignJWT({ sub: 'agt_1', aud: 'https://comms.example.com/mcp' }).setProtectedHeader({ alg: 'ES256' }).setIssuer(issuer.issuer).setExpirationTime('1m').sign(privateKey);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'AUTHORIZATION_SERVER_UNAVAILABLE' });
  });
});

describe('tokens told apart locally', () => {
  it('reads only compact JWS tokens as JWTs: agent tokens, admin tokens and junk are not', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect(unverifiedJwt(jwt)?.payload.sub).toBe('x');
    for (const other of ['aoc_0123456789abcdef', 'admin-token-for-tests-0123456789', 'a.b.c', `${jwt}.extra`, 'e30.e30.']) expect(unverifiedJwt(other), other).toBeNull();
  });

  it('writes RFC 6750 / RFC 9728 challenges', () => {
    expect(bearerChallenge({})).toBe('Bearer realm="agentos-comms"');
    expect(bearerChallenge({ error: 'insufficient_scope', scope: 'comms', resourceMetadata: 'https://comms.example.com/.well-known/oauth-protected-resource/mcp' }))
      .toBe('Bearer realm="agentos-comms", error="insufficient_scope", scope="comms", resource_metadata="https://comms.example.com/.well-known/oauth-protected-resource/mcp"');
  });
});

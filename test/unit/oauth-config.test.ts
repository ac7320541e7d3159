import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../hosts/config/load-config.js';
import { isDomainError } from '../../ports/errors.js';
import { tempDir } from '../support/plugin-context.js';

function loaded(yaml: string) {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, `server: {}\ndb: { use: sqlite }\n${yaml}`);
  return loadConfig({ file, env: {} });
}
const load = (yaml: string) => loaded(yaml).config.auth.oauth;

function refusal(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    if (isDomainError(err) && err.code === 'CONFIG_INVALID') return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('auth.oauth configuration', () => {
  it('is off by default: no issuer, no required scope', () => {
    expect(load('')).toEqual({ issuers: [], requiredScopes: [], clockToleranceSeconds: 30 });
  });

  it('fills each issuer\'s defaults and reads a single audience as a list', () => {
    const oauth = load('auth:\n  oauth:\n    issuers:\n      - issuer: https://auth.example.com\n      - { issuer: https://login.example.com/tenant, audience: https://comms.example.com/mcp, agentClaim: agentos_agent, jwksUri: https://login.example.com/keys }\n');
    expect(oauth.issuers).toEqual([
      { issuer: 'https://auth.example.com', jwksUri: null, audience: null, agentClaim: 'sub', adminClaim: null, adminValue: null, algorithms: expect.arrayContaining(['RS256', 'ES256']) },
      expect.objectContaining({ issuer: 'https://login.example.com/tenant', audience: ['https://comms.example.com/mcp'], agentClaim: 'agentos_agent', jwksUri: 'https://login.example.com/keys' }),
    ]);
    expect(oauth.issuers[0]!.algorithms).not.toContain('HS256');
  });

  it('refuses an admin claim without its value, a symmetric algorithm, an issuer listed twice, and a non-URL issuer', () => {
    expect(refusal('auth: { oauth: { issuers: [ { issuer: https://auth.example.com, adminClaim: roles } ] } }\n')).toContain('adminValue');
    expect(refusal('auth: { oauth: { issuers: [ { issuer: https://auth.example.com, algorithms: [HS256] } ] } }\n')).toContain('auth.oauth.issuers.0.algorithms.0');
    expect(refusal('auth: { oauth: { issuers: [ { issuer: https://auth.example.com }, { issuer: https://auth.example.com } ] } }\n')).toContain('twice');
    expect(refusal('auth: { oauth: { issuers: [ { issuer: auth.example.com } ] } }\n')).toContain('auth.oauth.issuers.0.issuer');
  });

  it('warns when the tokens\' audience would be the listen address (no publicBaseUrl, no audience)', () => {
    const issuer = 'auth: { oauth: { issuers: [ { issuer: https://auth.example.com } ] } }\n';
    expect(loaded(issuer).warnings.join('\n')).toContain('publicBaseUrl is not set');
    expect(loaded(`publicBaseUrl: https://comms.example.com\n${issuer}`).warnings.join('\n')).not.toContain('publicBaseUrl is not set');
  });
});

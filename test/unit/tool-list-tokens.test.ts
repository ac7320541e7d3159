import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOLSETS } from '../../core/use-case.js';
import { DEMO_USE_CASES, USE_CASES } from '../../core/use-cases.js';
import { toolsOf } from '../../hosts/mcp/mcp-server.js';
import { DEFAULT_TOOLSETS, parseToolsets } from '../../hosts/mcp/toolsets.js';
import { DEFAULT_AGENT_BUDGET, toolListTokens } from '../../scripts/tools-tokens.js';

const EVERY = [...USE_CASES, ...DEMO_USE_CASES];

describe('lean tool lists', () => {
  it('keeps the default agent tool list within its budget, counted with a real tokenizer', () => {
    const tokens = toolListTokens(toolsOf(EVERY, 'agent'));
    console.log(`default agent tool list: ${tokens} tokens (budget ${DEFAULT_AGENT_BUDGET})`);
    expect(tokens).toBeLessThanOrEqual(DEFAULT_AGENT_BUDGET);
  });

  it('keeps every tool name under 64 characters and of the characters clients accept', () => {
    for (const useCase of EVERY) expect(useCase.name, useCase.name).toMatch(/^[a-z0-9_]{1,63}$/);
  });

  it('offers the agent by default messaging, calls and threads, and the admin everything', () => {
    expect(DEFAULT_TOOLSETS).toEqual({ agent: ['messaging', 'calls', 'threads'], admin: ['all'] });
    expect(toolsOf(EVERY, 'admin').map((t) => t.name)).toEqual(EVERY.map((u) => u.name));
  });

  it('names the same toolsets in the config schema as in the descriptors', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'config', 'schema.json'), 'utf8')) as {
      properties: { server: { properties: { mcp: { properties: Record<string, { items: { enum: string[] }; default: string[] }> } } } };
    };
    const mcp = schema.properties.server.properties.mcp.properties;
    expect(mcp.toolsets!.items.enum).toEqual([...TOOLSETS, 'all']);
    expect(mcp.adminToolsets!.items.enum).toEqual([...TOOLSETS, 'all']);
    expect({ agent: mcp.toolsets!.default, admin: mcp.adminToolsets!.default }).toEqual(DEFAULT_TOOLSETS);
  });

  it('parses --toolsets and refuses names it does not know', () => {
    expect(parseToolsets('messaging, calls')).toEqual(['messaging', 'calls']);
    expect(() => parseToolsets('messaging,sms')).toThrow(/Unknown toolset sms/);
    expect(() => parseToolsets(' , ')).toThrow(/names no toolset/);
  });
});

/**
 * `npm run tools:tokens`: how many tokens each tool list costs an agent's context, counted with a real
 * tokenizer (o200k_base, GPT-4o's) over the tools/list result as the client receives it: names,
 * titles, descriptions, input and output schemas, annotations. test/unit/tool-list-tokens.test.ts holds
 * the default agent list to its budget.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { TOOLSETS } from '../core/use-case.js';
import { DEMO_USE_CASES, USE_CASES } from '../core/use-cases.js';
import { toolsOf } from '../hosts/mcp/mcp-server.js';
import { DEFAULT_TOOLSETS } from '../hosts/mcp/toolsets.js';

/** The budget of the default agent tool list, in tokens. */
export const DEFAULT_AGENT_BUDGET = 3000;

export function toolListTokens(tools: readonly Tool[]): number {
  return countTokens(JSON.stringify({ tools }));
}

if (process.argv[1] === import.meta.filename) {
  const every = [...USE_CASES, ...DEMO_USE_CASES];
  const rows: Array<[string, Tool[]]> = [
    [`agent, default (${DEFAULT_TOOLSETS.agent.join(', ')})`, toolsOf(every, 'agent')],
    ...TOOLSETS.map((toolset): [string, Tool[]] => [`agent, ${toolset}`, toolsOf(every, 'agent', [toolset])]),
    ['agent, all', toolsOf(every, 'agent', ['all'])],
    ['admin, all (full schemas)', toolsOf(every, 'admin', ['all'])],
  ];
  for (const [label, tools] of rows) console.log(`${label.padEnd(50)} ${String(tools.length).padStart(3)} tools ${String(toolListTokens(tools)).padStart(6)} tokens`);
  if (process.argv.includes('--each')) {
    for (const tool of toolsOf(every, 'agent', ['all'])) console.log(`  ${tool.name.padEnd(32)} ${toolListTokens([tool])}`);
  }
}

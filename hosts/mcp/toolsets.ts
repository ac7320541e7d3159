import { TOOLSETS, type Toolset, type UseCase } from '../../core/use-case.js';
import { DomainError } from '../../ports/errors.js';

/** A toolset, or `all` for every one. */
export type ToolsetChoice = Toolset | 'all';

/** The toolsets each token is offered (config `server.mcp.toolsets` and `adminToolsets`). */
export interface ToolsetSelection {
  agent: readonly ToolsetChoice[];
  admin: readonly ToolsetChoice[];
}

/** What an agent needs to talk with people: its tool list stays short (see scripts/tools-tokens.ts). */
export const DEFAULT_TOOLSETS: ToolsetSelection = { agent: ['messaging', 'calls', 'threads'], admin: ['all'] };

export function inToolsets(useCase: UseCase, chosen: readonly ToolsetChoice[]): boolean {
  return chosen.includes('all') || chosen.includes(useCase.toolset);
}

/** `--toolsets messaging,calls` of the stdio command. */
export function parseToolsets(value: string): ToolsetChoice[] {
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const known: readonly string[] = [...TOOLSETS, 'all'];
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      names.length === 0 ? '--toolsets names no toolset.' : `Unknown toolset ${unknown.join(', ')}.`,
      `Pass a comma-separated list of ${known.join(', ')}.`,
      { field: 'toolsets' },
    );
  }
  return names as ToolsetChoice[];
}

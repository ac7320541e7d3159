import type { UseCase } from '../../core/use-case.js';
import { DomainError } from '../../ports/errors.js';
import type { JsonSchema } from '../../ports/json-schema.js';

/**
 * How a tool is confirmed. `elicit`: MCP asks the person (elicitation) when the client can, else as
 * `confirm-field`; `confirm-field`: the input must carry `confirm`; `none`: runs as asked.
 */
export type ConfirmMode = 'elicit' | 'confirm-field' | 'none';

/** Config `confirm.tools`: a mode per tool name, or `{ mode }`. */
export type ConfiguredConfirmations = Record<string, ConfirmMode | { mode: ConfirmMode }>;

/**
 * Which tools need a person's go-ahead, from the descriptors' `confirmation` and config (which wins).
 * Every host enforces the `confirm` field through the runner; the MCP host may replace it by asking.
 */
export class ConfirmationPolicy {
  private readonly modes = new Map<string, ConfirmMode>();

  constructor(useCases: readonly UseCase[], configured: ConfiguredConfirmations = {}) {
    const known = new Set(useCases.map((u) => u.name));
    for (const [name, rule] of Object.entries(configured)) {
      if (!known.has(name)) {
        throw new DomainError('CONFIG_INVALID', `confirm.tools names an unknown tool: ${name}.`, 'Use a tool name from docs/MCP-TOOLS.md, or remove the entry.', { tool: name });
      }
      this.modes.set(name, typeof rule === 'string' ? rule : rule.mode);
    }
    for (const u of useCases) {
      if (!this.modes.has(u.name)) this.modes.set(u.name, u.confirmation?.byDefault ? 'elicit' : 'none');
    }
  }

  modeOf(name: string): ConfirmMode {
    return this.modes.get(name) ?? 'none';
  }

  /** The descriptor as hosts publish it: with a `confirm` input field and a note when it needs one. */
  publish(useCase: UseCase): UseCase {
    if (this.modeOf(useCase.name) === 'none') return useCase;
    const target = useCase.confirmation?.target;
    const properties = (useCase.input.properties ?? {}) as Record<string, JsonSchema>;
    const confirm: JsonSchema = target
      ? { ...stripDescription(properties[target] ?? { type: 'string' }), description: `Repeat ${target} exactly, once the person has approved this.` }
      : { const: true, description: 'true, once the person has approved this.' };
    const how = target ? `confirm set to the exact ${target}` : '`confirm: true`';
    return {
      ...useCase,
      description: `${useCase.description} Needs a person's approval: MCP clients with elicitation are asked; otherwise pass ${how} after asking.`,
      input: { ...useCase.input, properties: { ...properties, confirm } },
    };
  }

  /**
   * Checks the `confirm` field (unless the person already approved through elicitation) and returns the
   * input without it, as the use case knows it.
   */
  settle(useCase: UseCase, input: Record<string, unknown>, approved: boolean): Record<string, unknown> {
    if (this.modeOf(useCase.name) === 'none') return input;
    const { confirm, ...rest } = input;
    if (approved) return rest;
    const target = useCase.confirmation?.target;
    const expected = target ? rest[target] : true;
    if (confirm === undefined || !sameValue(confirm, expected)) throw confirmationRequired(useCase.name, target, confirm !== undefined);
    return rest;
  }
}

function stripDescription(schema: JsonSchema): JsonSchema {
  const { description: _own, ...rest } = schema;
  return rest;
}

/** Lists name the same targets in any order. */
function sameValue(given: unknown, expected: unknown): boolean {
  if (Array.isArray(given) && Array.isArray(expected)) {
    return JSON.stringify(given.map(String).sort()) === JSON.stringify(expected.map(String).sort());
  }
  return given === expected;
}

function confirmationRequired(tool: string, target: string | undefined, mismatch: boolean): DomainError {
  const what = target ? `confirm set to the exact value of ${target}` : 'confirm: true';
  return new DomainError(
    'CONFIRMATION_REQUIRED',
    mismatch ? `${tool} was not run: confirm does not match ${target ?? 'true'}.` : `${tool} needs a person's approval and was not run.`,
    `Ask the person whether to go ahead; if they agree, call ${tool} again with ${what}.`,
    { tool, ...(target ? { field: target } : {}) },
  );
}

/** The person said no (or dismissed the question): nothing was done. */
export function confirmationDeclined(tool: string, answer: string): DomainError {
  return new DomainError(
    'CONFIRMATION_DECLINED',
    `The person did not approve ${tool} (${answer}); nothing was done.`,
    'Do not retry on your own: ask the person what they want instead.',
    { tool, answer },
  );
}

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Caller, CorePorts } from '../../core/context.js';
import type { UseCase } from '../../core/use-case.js';
import type { IdGenerator } from '../../ports/runtime.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import { NO_METRICS, type Metrics } from '../../ports/metrics.js';
import { withLogContext } from '../../adapters/node/log-context.js';

function newAjv(coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: false, useDefaults: true, coerceTypes, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv;
}

/**
 * Runs use cases for every host: the admin check, input validation against the descriptor's schema
 * (compiled once), then the use case itself. Hosts only translate their wire format to and from this.
 */
export class UseCaseRunner {
  private readonly byName = new Map<string, { useCase: UseCase; strict: ValidateFunction; coercing: ValidateFunction }>();

  constructor(readonly useCases: readonly UseCase[], private readonly ports: CorePorts, private readonly ids: IdGenerator, private readonly metrics: Metrics = NO_METRICS) {
    const strict = newAjv(false);
    const coercing = newAjv(true);
    for (const useCase of useCases) {
      this.byName.set(useCase.name, { useCase, strict: strict.compile(useCase.input), coercing: coercing.compile(useCase.input) });
    }
  }

  get(name: string): UseCase | undefined {
    return this.byName.get(name)?.useCase;
  }

  /**
   * @param coerce true for inputs that arrive as strings (query parameters), so `limit=5` is a number.
   */
  async run(name: string, caller: Caller, input: unknown, options: { coerce?: boolean; requestId?: string } = {}): Promise<unknown> {
    // An unknown tool name is counted under one label, so a caller cannot mint label values.
    const tool = this.byName.has(name) ? name : 'unknown';
    try {
      const result = await this.runChecked(name, caller, input, options);
      this.metrics.toolCall(tool, 'ok');
      return result;
    } catch (err) {
      this.metrics.toolCall(tool, isDomainError(err) ? err.code : 'INTERNAL');
      throw err;
    }
  }

  private async runChecked(name: string, caller: Caller, input: unknown, options: { coerce?: boolean; requestId?: string }): Promise<unknown> {
    const entry = this.byName.get(name);
    if (!entry) throw new DomainError('NOT_FOUND', `Unknown tool ${name}.`, 'List the tools to see the available names.', { tool: name });
    const { useCase } = entry;
    if (caller.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'A valid bearer token is required.', 'Send "Authorization: Bearer <token>".');
    if (useCase.auth === 'admin' && caller.kind !== 'admin') {
      throw new DomainError('FORBIDDEN', `${name} needs the admin token.`, 'Call it with COMMS_ADMIN_TOKEN.');
    }
    const value = structuredClone(input ?? {});
    const validate = options.coerce ? entry.coercing : entry.strict;
    if (!validate(value)) throw inputError(validate.errors?.[0]);
    const requestId = options.requestId ?? this.ids.next('req');
    const output = await withLogContext({ requestId }, () => useCase.run({ caller, ports: this.ports, requestId }, value));
    // Every host (MCP, REST) says which fields hold third-party text; see UseCase.untrusted.
    return useCase.untrusted?.length ? { ...(output as Record<string, unknown>), untrustedFields: [...useCase.untrusted] } : output;
  }
}

/** The first schema violation as an INVALID_INPUT error naming the field. */
function inputError(e: ErrorObject | undefined): DomainError {
  const params = (e?.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  const path = e?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
  let field = path;
  let problem = e?.message ?? 'is invalid';
  if (e?.keyword === 'required') {
    field = [path, params.missingProperty].filter(Boolean).join('.');
    problem = 'is required';
  } else if (e?.keyword === 'additionalProperties') {
    field = [path, params.additionalProperty].filter(Boolean).join('.');
    problem = 'is not a known field';
  }
  return new DomainError(
    'INVALID_INPUT',
    `${field || 'input'} ${problem}.`,
    `Fix ${field || 'the input'} to match the input schema.`,
    { field, keyword: e?.keyword },
  );
}

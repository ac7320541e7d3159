import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Caller, CorePorts } from '../../core/context.js';
import type { UseCase } from '../../core/use-case.js';
import { authorize } from '../../core/auth/tenancy.js';
import type { IdGenerator } from '../../ports/runtime.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import { NO_METRICS, type Metrics } from '../../ports/metrics.js';
import { requestPorts } from './request-ports.js';
import { recordConfirmation, type ConfirmationAnswer } from '../../core/audit/record-confirmation.js';
import { ConfirmationPolicy, type ConfiguredConfirmations } from './confirmation.js';

function newAjv(coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: false, useDefaults: true, coerceTypes, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv;
}

/** A use case and its input validators, each compiled on first use and kept. */
interface Entry {
  useCase: UseCase;
  strict?: ValidateFunction;
  coercing?: ValidateFunction;
}

export interface RunOptions {
  /** true for inputs that arrive as strings (query parameters), so `limit=5` is a number. */
  coerce?: boolean;
  requestId?: string;
  /** Aborted when the client gave up on the request. */
  signal?: AbortSignal;
  /** A person approved this very request (MCP elicitation): no `confirm` field is needed. */
  approved?: boolean;
}

/**
 * Runs use cases for every host: the admin check, input validation against the descriptor's schema,
 * then the use case itself. Hosts only translate their wire format to and from this. Each schema is
 * compiled once, when its tool is first called: compiling them all up front was most of the start-up
 * time, and most servers never call most tools (and query-string coercion only serves REST reads).
 */
export class UseCaseRunner {
  private readonly byName = new Map<string, Entry>();
  private readonly ajv: { strict?: Ajv2020; coercing?: Ajv2020 } = {};
  /** Which tools need a person's approval; the descriptors below carry their `confirm` field. */
  readonly confirmation: ConfirmationPolicy;
  /** The descriptors as every host publishes them (tools, routes, OpenAPI). */
  readonly useCases: readonly UseCase[];

  constructor(
    useCases: readonly UseCase[], private readonly ports: CorePorts, private readonly ids: IdGenerator, private readonly metrics: Metrics = NO_METRICS,
    confirmations: ConfiguredConfirmations = {},
  ) {
    this.confirmation = new ConfirmationPolicy(useCases, confirmations);
    this.useCases = useCases.map((u) => this.confirmation.publish(u));
    for (const useCase of this.useCases) this.byName.set(useCase.name, { useCase });
  }

  nextRequestId(): string {
    return this.ids.next('req');
  }

  /** Records a person's answer to a confirmation question (ids and the answer only). */
  recordConfirmation(caller: Caller, tool: string, answer: ConfirmationAnswer, requestId: string): Promise<void> {
    return recordConfirmation(this.ports, caller, tool, answer, requestId);
  }

  get(name: string): UseCase | undefined {
    return this.byName.get(name)?.useCase;
  }

  async run(name: string, caller: Caller, input: unknown, options: RunOptions = {}): Promise<unknown> {
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

  /**
   * The checks made before running, without running: the tool exists, the caller may call it and the
   * input is valid. For asking a person about a request that would run.
   */
  check(name: string, caller: Caller, input: unknown, coerce = false): Record<string, unknown> {
    const entry = this.byName.get(name);
    if (!entry) throw new DomainError('NOT_FOUND', `Unknown tool ${name}.`, 'List the tools to see the available names.', { tool: name });
    const { useCase } = entry;
    authorize(useCase, caller);
    const value = copyInput(input ?? {});
    const validate = this.validator(entry, coerce ? 'coercing' : 'strict');
    if (!validate(value)) throw inputError(validate.errors?.[0]);
    return value as Record<string, unknown>;
  }

  private async runChecked(name: string, caller: Caller, input: unknown, options: RunOptions): Promise<unknown> {
    const checked = this.check(name, caller, input, options.coerce);
    const useCase = this.byName.get(name)!.useCase;
    const value = this.confirmation.settle(useCase, checked, options.approved ?? false);
    const requestId = options.requestId ?? this.ids.next('req');
    // Every line the use case logs (ctx.ports.logger) carries the request id.
    const output = await useCase.run({ caller, ports: requestPorts(this.ports, requestId), requestId, signal: options.signal }, value);
    // Every host (MCP, REST) says which fields hold third-party text; see UseCase.untrusted.
    return useCase.untrusted?.length ? { ...(output as Record<string, unknown>), untrustedFields: [...useCase.untrusted] } : output;
  }

  private validator(entry: Entry, mode: 'strict' | 'coercing'): ValidateFunction {
    const ajv = (this.ajv[mode] ??= newAjv(mode === 'coercing'));
    return (entry[mode] ??= ajv.compile(entry.useCase.input));
  }
}

/**
 * A copy of the input for Ajv to fill in defaults and coerce, leaving the caller's object as it was. Inputs are
 * JSON values (parsed bodies, query strings): objects and arrays are copied here, at a tenth of structuredClone's
 * cost on every tool call; anything else that is an object (a Date) or cannot be copied (a function) goes to
 * structuredClone, which copies or refuses it as before.
 */
function copyInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyInput);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return value;
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = copyInput((value as Record<string, unknown>)[key]);
    // An own "__proto__" key (JSON.parse makes one) stays a plain field, as structuredClone keeps it.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy;
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

import type { JsonSchema } from '../ports/json-schema.js';
import type { UseCaseContext } from './context.js';

/** MCP tool annotations (hints to clients; see the MCP specification). */
export interface UseCaseAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * An operation a person should approve before it runs (it destroys data or costs money). Core only states
 * it; the hosts ask: MCP through elicitation when the client offers it, otherwise (and over REST) the
 * input must carry `confirm`. Config may turn confirmation on or off per tool.
 */
export interface UseCaseConfirmation {
  /** Asked unless config says otherwise (destructive tools); false: only when config asks (costly ones). */
  byDefault: boolean;
  /** The input field naming what is acted on: `confirm` must repeat its exact value rather than `true`. */
  target?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One operation, served by every host: an MCP tool, a REST route and an OpenAPI operation are all
 * generated from this descriptor, so their schemas cannot drift apart.
 */
export interface UseCase<I = unknown, O = unknown> {
  name: string;
  title: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the input; hosts validate it before `run` is called. */
  input: JsonSchema;
  /** JSON Schema of the result (MCP `outputSchema`, REST response body). */
  output: JsonSchema;
  annotations: UseCaseAnnotations;
  /** Absent: never asks for confirmation unless config names the tool. */
  confirmation?: UseCaseConfirmation;
  /** `agent`: an agent token or the admin token; `admin`: the admin token only. */
  auth: 'agent' | 'admin';
  /** REST mapping; path parameters (`:id`) are merged into the input. */
  rest: { method: HttpMethod; path: string; successStatus?: number };
  run(ctx: UseCaseContext, input: I): Promise<O>;
}

export function defineUseCase<I, O>(useCase: UseCase<I, O>): UseCase<I, O> {
  return useCase;
}

import type { UseCase } from '../../core/use-case.js';
import { DomainError } from '../../ports/errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** True for operations whose input takes an `idempotencyKey`. */
export function takesIdempotencyKey(useCase: UseCase): boolean {
  return Boolean((useCase.input as { properties?: Record<string, unknown> }).properties?.idempotencyKey);
}

/**
 * The `Idempotency-Key` header as the standard alternative to the body's `idempotencyKey`. Both may be
 * sent only when they agree; an operation that cannot honour a key refuses it rather than let a client
 * believe its retries are safe.
 */
export function withIdempotencyHeader(useCase: UseCase, header: string | undefined, input: Record<string, unknown>): Record<string, unknown> {
  if (header === undefined) return input;
  if (!takesIdempotencyKey(useCase)) {
    throw new DomainError('INVALID_INPUT', `${useCase.name} does not take an Idempotency-Key.`, 'Send the request without the Idempotency-Key header.', { field: 'Idempotency-Key' });
  }
  if (input.idempotencyKey !== undefined && input.idempotencyKey !== header) {
    throw new DomainError(
      'INVALID_INPUT',
      'The Idempotency-Key header and the body\'s idempotencyKey differ.',
      'Send the key once, in the header or in the body.',
      { field: 'idempotencyKey' },
    );
  }
  return { ...input, idempotencyKey: header };
}

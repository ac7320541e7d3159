import { DomainError, isDomainError } from '../../ports/errors.js';

interface SdkFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** The object was not there: S3 answers 404 NoSuchKey (HEAD/GET), the SDK names it NoSuchKey or NotFound. */
export function isNoSuchKey(err: unknown): boolean {
  const failure = err as SdkFailure | null;
  return failure?.name === 'NoSuchKey' || failure?.name === 'NotFound' || (failure?.$metadata?.httpStatusCode === 404 && failure.name !== 'NoSuchBucket');
}

/** Any failure of an S3 call, as a `DomainError` with the provider codes of the ports. */
export function s3ErrorToDomainError(err: unknown, context: { bucket: string; timeoutMs: number }): DomainError {
  if (isDomainError(err)) return err;
  const failure = (typeof err === 'object' && err !== null ? err : {}) as SdkFailure;
  const name = failure.name ?? 'Error';
  const status = failure.$metadata?.httpStatusCode;
  const details = { provider: 's3', providerStatus: status ?? null, providerCode: name };
  if (AUTH_CODES.has(name) || status === 403) {
    return new DomainError('PROVIDER_AUTH_FAILED', `The storage service refused the credentials (${name}).`,
      'Check accessKeyId and secretAccessKey of the storage options, and that they may read and write the bucket.', details);
  }
  if (name === 'NoSuchBucket') {
    return new DomainError('PROVIDER_REJECTED', `The bucket "${context.bucket}" does not exist.`,
      'Create the bucket, or fix the bucket (and endpoint/region) of the storage options.', details);
  }
  if (name === 'SlowDown' || failure.$retryable?.throttling || status === 429) {
    return new DomainError('RATE_LIMITED', 'The storage service asked us to slow down.', 'Wait a few seconds, then try again.', details);
  }
  if (TIMEOUT_NAMES.has(name) || /timed? ?out/i.test(failure.message ?? '')) {
    return new DomainError('PROVIDER_TIMEOUT', `The storage service did not answer within ${context.timeoutMs} ms.`,
      'Retry; raise timeoutMs in the storage options if this keeps happening.', { ...details, timeoutMs: context.timeoutMs });
  }
  if (status === undefined || status >= 500) {
    return new DomainError('PROVIDER_UNAVAILABLE', `The storage service is unreachable or failing (${status ?? name}).`,
      'Retry in a little while; if it persists, check the endpoint of the storage options and the service status.', details);
  }
  return new DomainError('PROVIDER_REJECTED', `The storage service refused the request (${name}, HTTP ${status}).`,
    'Check the storage options (bucket, region, endpoint, forcePathStyle).', details);
}

import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { checkContentType, checkExpiresIn, checkStorageKey } from '../local-storage/storage-key.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import type { StoragePort, StoredObject } from '../../ports/storage.js';
import { isNoSuchKey, s3ErrorToDomainError } from './s3-error-mapping.js';
import { DEFAULT_S3_REGION, DEFAULT_S3_TIMEOUT_MS, type S3StorageOptions } from './s3-options.js';

/** The `storage` port over S3 or any S3-compatible service (R2, MinIO), through `@aws-sdk/client-s3`. */
export class S3Storage implements StoragePort, CredentialCheck {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: S3StorageOptions, ctx: PluginContext) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
    this.clock = ctx.clock;
    this.logger = ctx.logger.child({ adapter: 's3' });
    this.client = new S3Client({
      region: options.region ?? DEFAULT_S3_REGION,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      // Checksums only where S3 demands them: otherwise the SDK streams PutObject with aws-chunked framing,
      // which S3-compatible services (R2, MinIO, s3rver) store or reject differently.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Retrying is the caller's decision; one attempt keeps failures fast and visible.
      maxAttempts: 1,
      requestHandler: { requestTimeout: this.timeoutMs, throwOnRequestTimeout: true, connectionTimeout: Math.min(this.timeoutMs, 10_000) },
    });
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<StoredObject> {
    checkStorageKey(key);
    const type = checkContentType(contentType);
    await this.call(() => this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: this.objectKey(key), Body: bytes, ContentType: type, ContentLength: bytes.length,
    })));
    return { key, size: bytes.length, contentType: type };
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    checkStorageKey(key);
    return this.call(async () => {
      try {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
        const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
        return { bytes, contentType: object.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        if (isNoSuchKey(err)) return null;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    checkStorageKey(key);
    // S3 answers 204 whether or not the object existed.
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
  }

  async signedUrl(key: string, expiresInSeconds: number): Promise<string> {
    checkStorageKey(key);
    const expiresIn = checkExpiresIn(expiresInSeconds);
    // Signed offline: no request is made, and the signing time comes from our clock.
    return this.call(() => getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }), {
      expiresIn, signingDate: this.clock.now(),
    }));
  }

  /**
   * HeadBucket: free, and proves both the credentials (403 when refused) and the bucket (404 when missing). A HEAD
   * answer has no body, so the SDK names a missing bucket NotFound; it is reported as the NoSuchBucket it is.
   */
  async checkCredentials(): Promise<string> {
    await this.call(async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) Object.assign(err as object, { name: 'NoSuchBucket' });
        throw err;
      }
    });
    return `bucket ${this.bucket} reachable with these credentials`;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      const failure: DomainError = s3ErrorToDomainError(err, { bucket: this.bucket, timeoutMs: this.timeoutMs });
      this.logger.warn({ code: failure.code, details: failure.details }, 's3 request failed');
      throw failure;
    }
  }
}

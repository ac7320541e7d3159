import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_S3_REGION = 'us-east-1';
export const DEFAULT_S3_TIMEOUT_MS = 30_000;

export interface S3StorageOptions {
  bucket: string;
  /** Another S3-compatible endpoint: Cloudflare R2, MinIO, a simulator in tests. Default: AWS for the region. */
  endpoint?: string;
  region?: string;
  /** Both or neither; without them the SDK's default chain (environment, instance role …) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO, most local servers). */
  forcePathStyle?: boolean;
  /** Prepended to every key, to share a bucket (`comms/` → `comms/audio/x.mp3`). */
  prefix?: string;
  timeoutMs?: number;
}

export const s3OptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'S3 storage options',
  type: 'object',
  additionalProperties: false,
  required: ['bucket'],
  dependentRequired: { accessKeyId: ['secretAccessKey'], secretAccessKey: ['accessKeyId'] },
  properties: {
    bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'Bucket name.' },
    endpoint: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      description: 'S3-compatible endpoint, e.g. https://<account>.r2.cloudflarestorage.com for R2; omit for AWS.',
    },
    region: { type: 'string', minLength: 1, default: DEFAULT_S3_REGION, description: 'Region (R2: auto).' },
    accessKeyId: { type: 'string', minLength: 1, description: 'Access key id, e.g. ${S3_ACCESS_KEY_ID}.' },
    secretAccessKey: { type: 'string', minLength: 1, writeOnly: true, description: 'Secret access key, e.g. ${S3_SECRET_ACCESS_KEY}.' },
    forcePathStyle: { type: 'boolean', default: false, description: 'Address the bucket in the path (needed by MinIO and most local S3 servers).' },
    prefix: {
      type: 'string',
      pattern: '^([^/\\\\]+/)*$',
      default: '',
      description: 'Key prefix ending with "/", e.g. comms/ (empty: keys at the bucket root).',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 300_000,
      default: DEFAULT_S3_TIMEOUT_MS,
      description: 'How long one request may take, in milliseconds.',
    },
  },
};

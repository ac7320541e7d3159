import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { S3Storage } from './s3-storage.js';
import { s3OptionsSchema, type S3StorageOptions } from './s3-options.js';

/** S3, Cloudflare R2, MinIO or any S3-compatible bucket; providers fetch audio through presigned GET URLs. */
export default definePlugin<'storage', S3StorageOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'storage',
  id: 's3',
  optionsSchema: s3OptionsSchema,
  secrets: ['secretAccessKey'],
  async create(options, ctx) {
    return new S3Storage(options, ctx);
  },
});

import { constants } from 'node:fs';
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Clock } from '../../ports/runtime.js';
import type { StoragePort, StoredObject } from '../../ports/storage.js';
import { writeFileAtomically } from './atomic-file-write.js';
import { keptSigningSecret } from './kept-signing-secret.js';
import type { LocalStorageOptions } from './local-storage-options.js';
import { isValidStorageSignature, signStorageUrl } from './signed-url-signature.js';
import { checkContentType, checkExpiresIn, checkStorageKey } from './storage-key.js';

/** What is kept beside each object: the put() arguments a file cannot carry. */
interface ObjectMetadata {
  contentType: string;
  size: number;
}

const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

/** "No such file", or a path that runs through a file or stops at a folder: the object is not there. */
function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * The `storage` port on the local disk: objects under `<dir>/objects/<key>`, their content type in
 * `<dir>/meta/<key>`, every write atomic. Signed URLs point at this server's `/storage/<key>` route,
 * which the HTTP host serves through `openSigned`.
 */
export class LocalStorage implements StoragePort {
  private readonly objectsDir: string;
  private readonly metaDir: string;
  private readonly tmpDir: string;
  private readonly secret: Uint8Array;
  private readonly clock: Clock;
  /** Read per URL: the server learns its own address only once it listens (port 0). */
  private readonly ctx: PluginContext;

  private constructor(root: string, secret: Uint8Array, ctx: PluginContext) {
    this.objectsDir = join(root, 'objects');
    this.metaDir = join(root, 'meta');
    this.tmpDir = join(root, 'tmp');
    this.secret = secret;
    this.clock = ctx.clock;
    this.ctx = ctx;
  }

  static async open(options: LocalStorageOptions, ctx: PluginContext): Promise<LocalStorage> {
    const root = options.dir ? resolve(ctx.configDir, options.dir) : join(ctx.dataDir, 'storage');
    const tmpDir = join(root, 'tmp');
    let secret: Uint8Array;
    try {
      await Promise.all(['objects', 'meta', 'tmp'].map((dir) => mkdir(join(root, dir), { recursive: true })));
      secret = options.signingSecret ? Buffer.from(options.signingSecret, 'utf8') : await keptSigningSecret(root, tmpDir);
    } catch (err) {
      throw new DomainError('PLUGIN_INVALID', `storage: cannot create the folder ${root} or its signing secret (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        'Set the dir option of storage to a folder this server may write to.', { dir: root });
    }
    return new LocalStorage(root, secret, ctx);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<StoredObject> {
    checkStorageKey(key);
    const type = checkContentType(contentType);
    if (!(bytes instanceof Uint8Array)) throw new DomainError('INVALID_INPUT', 'The object must be bytes.', 'Pass a Uint8Array.', {});
    const metadata: ObjectMetadata = { contentType: type, size: bytes.length };
    try {
      // Object first: a crash in between leaves the new bytes with the old (or default) type, never a type without bytes.
      await writeFileAtomically(this.objectPath(key), bytes, this.tmpDir);
      await writeFileAtomically(this.metaPath(key), Buffer.from(JSON.stringify(metadata)), this.tmpDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        // A file cannot also be a folder: "a" and "a/b" cannot both exist on a disk.
        throw new DomainError('CONFLICT', `The storage key "${key.slice(0, 200)}" clashes with an existing key that is a prefix of it (or has it as a prefix).`,
          'Use keys that are not folder prefixes of each other on local storage.', { code });
      }
      throw new DomainError('INTERNAL', `Could not write to local storage (${code ?? 'error'}).`, 'Check free disk space and permissions of the storage folder.', { code: code ?? null });
    }
    return { key, size: bytes.length, contentType: type };
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    checkStorageKey(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.objectPath(key));
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
    return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: await this.contentTypeOf(key) };
  }

  async delete(key: string): Promise<void> {
    checkStorageKey(key);
    for (const path of [this.objectPath(key), this.metaPath(key)]) {
      try {
        await rm(path, { force: true });
      } catch (err) {
        if (!isAbsent(err)) throw err;
      }
    }
  }

  async signedUrl(key: string, expiresInSeconds: number): Promise<string> {
    checkStorageKey(key);
    const expires = Math.floor(this.clock.now().getTime() / 1000) + checkExpiresIn(expiresInSeconds);
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.ctx.publicBaseUrl.replace(/\/+$/, '')}/storage/${path}?expires=${expires}&sig=${signStorageUrl(this.secret, key, expires)}`;
  }

  /**
   * For the HTTP host's `GET /storage/<key>` route (`key` already URL-decoded): the object when the query
   * carries a valid, unexpired signature for it; null when expired, tampered with, malformed or missing.
   */
  async openSigned(key: string, query: { expires?: string; sig?: string }): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    try {
      checkStorageKey(key);
    } catch {
      return null;
    }
    if (!query.expires || !/^\d{1,12}$/.test(query.expires) || typeof query.sig !== 'string') return null;
    const expires = Number(query.expires);
    if (Math.floor(this.clock.now().getTime() / 1000) > expires) return null;
    if (!isValidStorageSignature(this.secret, key, expires, query.sig)) return null;
    return this.get(key);
  }

  /** Ready while the objects folder is writable (a full or read-only disk is not). */
  async readiness(): Promise<void> {
    await access(this.objectsDir, constants.W_OK);
  }

  async close(): Promise<void> {}

  private objectPath(key: string): string {
    return join(this.objectsDir, ...key.split('/'));
  }

  private metaPath(key: string): string {
    return join(this.metaDir, ...key.split('/'));
  }

  private async contentTypeOf(key: string): Promise<string> {
    try {
      const metadata = JSON.parse(await readFile(this.metaPath(key), 'utf8')) as Partial<ObjectMetadata>;
      return typeof metadata.contentType === 'string' ? metadata.contentType : FALLBACK_CONTENT_TYPE;
    } catch {
      return FALLBACK_CONTENT_TYPE;
    }
  }
}
